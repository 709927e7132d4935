/**
 * Finds out why a Temporal address did not answer, after the SDK gave up without saying: the name
 * does not resolve, nothing listens, the TLS handshake fails (and how), or the port speaks TLS
 * while the client does not. Used only to explain a failure, never to decide whether to connect.
 */
import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';

const PROBE_TIMEOUT_MS = 2_000;
/** TLS 1.3 servers reject a missing client certificate just after the handshake, so wait a moment. */
const ALERT_GRACE_MS = 300;

export type ProbeResult =
  { kind: 'unreachable'; reason: string } | { kind: 'tls'; reason: string } | { kind: 'needs-tls' } | { kind: 'answers' };

function splitAddress(address: string): { host: string; port: number } {
  const separator = address.lastIndexOf(':');
  return { host: address.slice(0, separator).replace(/^\[|\]$/g, ''), port: Number(address.slice(separator + 1)) };
}

/** SNI carries names only; for an IP address Node must be told to send none. */
const sniName = (host: string) => (net.isIP(host) ? '' : host);

function probeTcp(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'connection refused' : (e.code ?? e.message)));
  });
}

interface TlsOutcome {
  /** The server completed a TLS handshake (it may still have refused us right after). */
  handshook: boolean;
  /** Why the connection failed; undefined when it held. */
  problem?: string;
}

/** OpenSSL's messages span lines and name source files; its `reason` is the useful part. */
const tlsReason = (e: NodeJS.ErrnoException & { reason?: string }) =>
  (e.reason ?? e.message ?? e.code ?? 'unknown').replace(/\s+/g, ' ').trim();

function probeTls(host: string, port: number, options: tls.ConnectionOptions): Promise<TlsOutcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, ALPNProtocols: ['h2'], ...options });
    let handshook = false;
    let timer: NodeJS.Timeout | undefined;
    const done = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ handshook, problem });
    };
    timer = setTimeout(() => done(`no TLS answer within ${PROBE_TIMEOUT_MS / 1000} s`), PROBE_TIMEOUT_MS);
    socket.once('secureConnect', () => {
      handshook = true;
      clearTimeout(timer);
      timer = setTimeout(() => done(undefined), ALERT_GRACE_MS);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => done(tlsReason(e)));
    socket.once('close', () => done(`the server closed the connection ${handshook ? 'right after' : 'during'} the TLS handshake`));
  });
}

/** Probes `address` the way a connection with `tlsConfig` (undefined: plaintext) would reach it. */
export async function probeEndpoint(address: string, tlsConfig: TLSConfig | undefined): Promise<ProbeResult> {
  const { host, port } = splitAddress(address);
  try {
    await dns.lookup(host);
  } catch {
    return { kind: 'unreachable', reason: `the host name ${host} does not resolve` };
  }
  const tcpProblem = await probeTcp(host, port);
  if (tcpProblem) return { kind: 'unreachable', reason: tcpProblem };
  if (!tlsConfig) {
    const { handshook } = await probeTls(host, port, { rejectUnauthorized: false, servername: sniName(host) });
    return handshook ? { kind: 'needs-tls' } : { kind: 'answers' };
  }
  const servername = tlsConfig.serverNameOverride ?? sniName(host);
  const { problem } = await probeTls(host, port, {
    servername,
    ca: tlsConfig.serverRootCACertificate ? Buffer.from(tlsConfig.serverRootCACertificate) : undefined,
    cert: tlsConfig.clientCertPair ? Buffer.from(tlsConfig.clientCertPair.crt) : undefined,
    key: tlsConfig.clientCertPair ? Buffer.from(tlsConfig.clientCertPair.key) : undefined,
    // Node checks the name against `host` unless told which name to expect.
    checkServerIdentity: (_host, cert) => tls.checkServerIdentity(servername || host, cert),
  });
  return problem ? { kind: 'tls', reason: problem } : { kind: 'answers' };
}

/** A string literal of a Temporal visibility query, quotes doubled, for values from outside. */
export const visibilityString = (text: string) => `'${text.replace(/'/g, "''")}'`;

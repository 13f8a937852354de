/** "a, b, c, and 4 more": at most `max` items named, the rest counted. */
export function listSome(items: string[], max: number): string {
  const named = items.slice(0, max).join(', ');
  return items.length > max ? `${named}, and ${items.length - max} more` : named;
}

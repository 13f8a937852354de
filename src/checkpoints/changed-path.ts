/** A path that differs between two states of the tree (two checkpoints, or one and the working tree), and how. */
export interface ChangedPath {
  status: 'added' | 'modified' | 'deleted' | 'type-changed';
  /** The path as `shown` gives it: printable UTF-8 as is, any other bytes quoted the way git quotes them. */
  path: string;
}

/**
 * The part of HAProxy's eb32 trees the LB algorithms rely on: entries sorted
 * by an unsigned 32-bit key, duplicates kept and walked in insertion order
 * (ebtree.h: "returns duplicates in the order they were inserted"). That last
 * property is what makes servers of equal key take turns, so it matters for
 * round-robin fidelity. Linear-time operations are fine for server lists.
 */

/** What a tree stores: its key, and the tree it is physically linked into (HAProxy's `leaf_p != NULL`). */
export interface TreeNode {
  key: number;
  linkedIn: DupOrderedTree<TreeNode> | null;
}

export class DupOrderedTree<T extends TreeNode> {
  readonly #entries: T[] = [];

  /** `eb32_insert`: after every entry with a key ≤ this one. */
  insert(node: T, key: number): void {
    node.key = key >>> 0;
    let at = this.#entries.length;
    while (at > 0 && this.#entries[at - 1]!.key > node.key) at--;
    this.#entries.splice(at, 0, node);
    node.linkedIn = this as DupOrderedTree<TreeNode>;
  }

  /** `eb32_delete`: a no-op for a node that is not linked into this tree. */
  delete(node: T): void {
    if (node.linkedIn !== (this as DupOrderedTree<TreeNode>)) return;
    const at = this.#entries.indexOf(node);
    if (at >= 0) this.#entries.splice(at, 1);
    node.linkedIn = null;
  }

  /** `eb32_first`. */
  first(): T | undefined {
    return this.#entries[0];
  }

  /** In key order, for the algorithms that walk the tree (`eb32_next`). */
  values(): readonly T[] {
    return this.#entries;
  }

  get size(): number {
    return this.#entries.length;
  }
}

/** Unlinks a node from whatever tree holds it (HAProxy's `eb32_delete(&s->lb_node)`). */
export function unlinkNode(node: TreeNode): void {
  node.linkedIn?.delete(node);
}

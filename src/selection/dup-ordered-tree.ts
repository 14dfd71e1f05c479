/**
 * The part of HAProxy's eb32 trees the LB algorithms rely on: entries sorted
 * by an unsigned 32-bit key, duplicates kept and walked in insertion order
 * (ebtree.h: "returns duplicates in the order they were inserted"). That last
 * property is what makes servers of equal key take turns, so it matters for
 * round-robin fidelity.
 *
 * A sorted array read from `#head`: round-robin takes the first entry and
 * puts it back at the end, so both are O(1) here (moving the head, a push)
 * however many servers there are; other places cost a linear scan, fine for
 * server lists. Measured with 200 servers, the array's shift on every
 * request was a visible part of the balancer's per-server cost.
 */

/** What a tree stores: its key, and the tree it is physically linked into (HAProxy's `leaf_p != NULL`). */
export interface TreeNode {
  key: number;
  linkedIn: DupOrderedTree<TreeNode> | null;
}

export class DupOrderedTree<T extends TreeNode> {
  /** Entries before `#head` are gone (undefined): a delete of the first one only moves the head. */
  #entries: (T | undefined)[] = [];
  #head = 0;

  /** `eb32_insert`: after every entry with a key ≤ this one. */
  insert(node: T, key: number): void {
    node.key = key >>> 0;
    const entries = this.#entries;
    let at = entries.length;
    while (at > this.#head && entries[at - 1]!.key > node.key) at--;
    if (at === entries.length) entries.push(node);
    else if (at === this.#head && at > 0) entries[--this.#head] = node;
    else entries.splice(at, 0, node);
    node.linkedIn = this as DupOrderedTree<TreeNode>;
  }

  /** `eb32_delete`: a no-op for a node that is not linked into this tree. */
  delete(node: T): void {
    if (node.linkedIn !== (this as DupOrderedTree<TreeNode>)) return;
    node.linkedIn = null;
    const entries = this.#entries;
    if (entries[this.#head] === node) {
      entries[this.#head++] = undefined;
      if (this.#head === entries.length) entries.length = 0;
      else if (this.#head > 32 && this.#head * 2 > entries.length) this.#compact();
      else return;
      this.#head = 0;
      return;
    }
    const at = entries.indexOf(node, this.#head);
    if (at >= 0) entries.splice(at, 1);
  }

  /** `eb32_first`. */
  first(): T | undefined {
    return this.#entries[this.#head];
  }

  /** In key order, for the algorithms that walk the tree (`eb32_next`). */
  values(): readonly T[] {
    if (this.#head > 0) {
      this.#compact();
      this.#head = 0;
    }
    return this.#entries as T[];
  }

  get size(): number {
    return this.#entries.length - this.#head;
  }

  #compact(): void {
    this.#entries = this.#entries.slice(this.#head);
  }
}

/** Unlinks a node from whatever tree holds it (HAProxy's `eb32_delete(&s->lb_node)`). */
export function unlinkNode(node: TreeNode): void {
  node.linkedIn?.delete(node);
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DupOrderedTree, unlinkNode, type TreeNode } from '../../src/selection/dup-ordered-tree.ts';

interface Node extends TreeNode {
  readonly name: number;
}

/** The tree's contract on a plain array: sorted by key, equal keys in insertion order. */
class Reference {
  entries: Node[] = [];
  insert(node: Node, key: number): void {
    node.key = key;
    let at = this.entries.length;
    while (at > 0 && this.entries[at - 1]!.key > key) at--;
    this.entries.splice(at, 0, node);
  }
  delete(node: Node): void {
    const at = this.entries.indexOf(node);
    if (at >= 0) this.entries.splice(at, 1);
  }
}

type Step = { op: 'insert'; node: number; key: number } | { op: 'delete'; node: number } | { op: 'deleteFirst' } | { op: 'walk' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('insert' as const), node: fc.nat(79), key: fc.nat(6) }),
  fc.record({ op: fc.constant('delete' as const), node: fc.nat(79) }),
  // Round-robin's own pattern, weighted up: take the first, put it back at the end.
  fc.constant({ op: 'deleteFirst' as const }),
  fc.constant({ op: 'deleteFirst' as const }),
  fc.constant({ op: 'walk' as const }),
);

describe('DupOrderedTree', () => {
  it('keeps entries by key, equal keys in insertion order, under any sequence of inserts and deletes', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 400 }), (steps) => {
        const tree = new DupOrderedTree<Node>();
        const reference = new Reference();
        const nodes: Node[] = Array.from({ length: 80 }, (_, name) => ({ name, key: 0, linkedIn: null }));
        for (const s of steps) {
          if (s.op === 'insert') {
            const node = nodes[s.node]!;
            if (node.linkedIn) continue; // a node is in at most one place, as a server in fwrr
            tree.insert(node, s.key);
            reference.insert(node, s.key);
          } else if (s.op === 'delete') {
            unlinkNode(nodes[s.node]!);
            reference.delete(nodes[s.node]!);
          } else if (s.op === 'deleteFirst') {
            const first = tree.first();
            expect(first).toBe(reference.entries[0]);
            if (!first) continue;
            tree.delete(first);
            reference.delete(first);
            // Back at the end of its key's duplicates: round-robin's requeue.
            tree.insert(first, first.key);
            reference.insert(first, first.key);
          } else {
            expect(tree.values().map((n) => n.name)).toEqual(reference.entries.map((n) => n.name));
          }
          expect(tree.size).toBe(reference.entries.length);
          expect(tree.first()).toBe(reference.entries[0]);
        }
        expect(tree.values().map((n) => n.name)).toEqual(reference.entries.map((n) => n.name));
        for (const node of nodes) expect(node.linkedIn !== null).toBe(reference.entries.includes(node));
      }),
      { numRuns: 300 },
    );
  });
});

package dev.rebound.runtime.internal;

import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.Objects;

/**
 * A set of objects compared by identity (never by their {@code equals}, which an application's class may
 * override) that keeps none of them alive. Asking is lock-free and allocates nothing: an identity hash, a
 * volatile read, an array read and a walk of one short chain of weak references. Adding takes the set's lock,
 * allocates one reference, and drops the entries whose objects the collector cleared.
 *
 * <p>A chain's entries never change: an add puts a new head in its bucket, a drop replaces the entries before
 * the dropped one with copies, and growing builds a new table. A reader walks a whole chain of one moment. Each
 * add ends with a volatile write of the table, so a thread that asks after it (having been handed the object
 * since, or not) finds the object.
 */
public final class WeakIdentitySet {

    private static final int INITIAL = 16;

    /** A power of two long; replaced when it grows, its buckets replaced under the lock. */
    private volatile Entry[] table = new Entry[INITIAL];
    /** The entries in {@link #table}, cleared ones included until they are dropped; under the lock. */
    private int size;
    private final ReferenceQueue<Object> cleared = new ReferenceQueue<>();

    /** Whether {@code object} itself was added and is still alive; false for null. */
    public boolean contains(Object object) {
        if (object == null) {
            return false;
        }
        int hash = System.identityHashCode(object);
        Entry[] t = table;
        for (Entry e = t[hash & (t.length - 1)]; e != null; e = e.next) {
            if (e.hash == hash && e.get() == object) {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds {@code object}, held weakly, unless it is in already.
     *
     * @throws NullPointerException if {@code object} is null
     */
    public void add(Object object) {
        Objects.requireNonNull(object, "object");
        if (contains(object)) {
            return;
        }
        synchronized (this) {
            if (contains(object)) {
                return;
            }
            dropCleared();
            Entry[] t = table;
            if (size >= t.length - (t.length >> 2)) {
                t = grown(t);
            }
            int hash = System.identityHashCode(object);
            int i = hash & (t.length - 1);
            t[i] = new Entry(object, hash, t[i], cleared);
            size++;
            table = t; // publishes a grown table, and the new head with it
        }
    }

    /** How many objects it holds, cleared ones not dropped yet included: for tests. */
    synchronized int size() {
        return size;
    }

    /** Drops the entries the collector cleared since the last add: each from its own bucket. */
    private void dropCleared() {
        Entry[] t = table;
        for (Reference<?> r; (r = cleared.poll()) != null; ) {
            Entry gone = (Entry) r;
            int i = gone.hash & (t.length - 1);
            t[i] = without(t[i], gone);
        }
    }

    /**
     * The chain from {@code head} without {@code gone}: the entries before it copied (a cleared one among them
     * dropped too), the entries after it shared; {@code head} itself when {@code gone} is not in it (an entry a
     * copy or a growth replaced). Chains are short: the table grows at three quarters full.
     */
    private Entry without(Entry head, Entry gone) {
        if (head == null) {
            return null;
        }
        if (head == gone) {
            size--;
            return head.next;
        }
        Entry rest = without(head.next, gone);
        if (rest == head.next) {
            return head;
        }
        Object kept = head.get();
        if (kept == null) {
            size--;
            return rest;
        }
        return new Entry(kept, head.hash, rest, cleared);
    }

    /** A table twice as long holding the live entries of {@code t}, as new entries. */
    private Entry[] grown(Entry[] t) {
        Entry[] bigger = new Entry[t.length * 2];
        int live = 0;
        for (Entry head : t) {
            for (Entry e = head; e != null; e = e.next) {
                Object kept = e.get();
                if (kept != null) {
                    int i = e.hash & (bigger.length - 1);
                    bigger[i] = new Entry(kept, e.hash, bigger[i], cleared);
                    live++;
                }
            }
        }
        size = live;
        return bigger;
    }

    private static final class Entry extends WeakReference<Object> {
        final int hash;
        final Entry next;

        Entry(Object referent, int hash, Entry next, ReferenceQueue<Object> queue) {
            super(referent, queue);
            this.hash = hash;
            this.next = next;
        }
    }
}

package dev.rebound.runtime.spi;

import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * One object per thread, found without a thread-local lookup on most calls: a slot per thread id
 * (modulo 256), kept by the first thread that lands there while it lives, ownership checked by identity
 * (so a slot never gives one thread's object to another); a thread whose slot is taken uses the
 * thread-local. A slot is written when its thread first asks, never per call, and holds its thread
 * weakly. For the engine and the doors: the engine's spare call state, the woven door's hand-off, a
 * generated wrapper's argument arrays. What a call puts in the object must be cleared when it ends.
 *
 * <p>The objects are held by this {@code PerThread} (so by the class that owns it), never by the
 * threads: the thread-local holds a weak reference only. A thread that outlives Rebound's class
 * loader (an application server's pool thread, once the application that bundled Rebound is
 * undeployed) keeps nothing that would keep that loader. A thread's object is dropped once the thread
 * has ended, when a later thread's first ask finds the list of kept objects full, and its slot by thread
 * id (at most 256 objects, Rebound's own) when another thread whose id falls on that slot asks.
 *
 * @param <T> what each thread gets
 */
public final class PerThread<T> {

    private final Supplier<? extends T> initial;
    /** Each thread's {@link Held}, weakly: what keeps it is {@link #kept}, which the thread cannot reach. */
    private final ThreadLocal<WeakReference<Held<T>>> local = new ThreadLocal<>();
    @SuppressWarnings("unchecked")
    private final Held<T>[] slots = new Held[256];
    /** Every living thread's {@link Held} (and those of threads ended since the last purge); guarded by this. */
    @SuppressWarnings("unchecked")
    private Held<T>[] kept = new Held[8];
    private int keptCount;

    /** Each thread's object is made by {@code initial}, on that thread, the first time it asks. */
    public PerThread(Supplier<? extends T> initial) {
        this.initial = initial;
    }

    /** This thread's object. */
    public T get() {
        Thread t = Thread.currentThread();
        int i = (int) t.getId() & (slots.length - 1);
        Held<T> h = slots[i];
        if (h != null && h.get() == t) {
            return h.value;
        }
        WeakReference<Held<T>> mine = local.get();
        h = mine != null ? mine.get() : null;
        if (h == null) {
            h = first(t);
        }
        Held<T> there = slots[i];
        if (there == null || there.get() == null) {
            slots[i] = h; // racy on purpose: a thread that loses the race keeps using the thread-local
        }
        return h.value;
    }

    /** This thread's first ask: its object made, kept here, and found again through the thread-local. */
    private Held<T> first(Thread t) {
        Held<T> h = new Held<>(t, initial.get());
        keep(h);
        local.set(new WeakReference<>(h));
        return h;
    }

    private synchronized void keep(Held<T> h) {
        if (keptCount == kept.length) {
            int alive = 0;
            for (int i = 0; i < keptCount; i++) {
                Thread owner = kept[i].get();
                if (owner != null && owner.isAlive()) {
                    kept[alive++] = kept[i];
                }
            }
            Arrays.fill(kept, alive, keptCount, null);
            keptCount = alive;
            if (alive > kept.length / 2) {
                kept = Arrays.copyOf(kept, kept.length * 2);
            }
        }
        kept[keptCount++] = h;
    }

    /**
     * A thread's object, and the thread it belongs to, weakly (a slot does not keep a finished thread): the
     * reference itself, so that a look-up reads the thread one load sooner than through a reference it holds.
     */
    private static final class Held<T> extends WeakReference<Thread> {
        final T value;

        Held(Thread owner, T value) {
            super(owner);
            this.value = value;
        }
    }
}

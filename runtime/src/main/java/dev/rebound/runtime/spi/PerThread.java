package dev.rebound.runtime.spi;

import java.lang.ref.WeakReference;
import java.util.function.Supplier;

/**
 * One object per thread, found without a thread-local lookup on most calls: a slot per thread id
 * (modulo 256), kept by the first thread that lands there while it lives, ownership checked by identity
 * (so a slot never gives one thread's object to another); a thread whose slot is taken uses the
 * thread-local. A slot is written when its thread first asks, never per call, and holds its thread
 * weakly. For the engine and the doors: the engine's spare call state, the woven door's hand-off, a
 * generated wrapper's argument arrays. What a call puts in the object must be cleared when it ends.
 *
 * @param <T> what each thread gets
 */
public final class PerThread<T> {

    private final ThreadLocal<Held<T>> local;
    @SuppressWarnings("unchecked")
    private final Held<T>[] slots = new Held[256];

    /** Each thread's object is made by {@code initial}, on that thread, the first time it asks. */
    public PerThread(Supplier<? extends T> initial) {
        this.local = ThreadLocal.withInitial(() -> new Held<>(Thread.currentThread(), initial.get()));
    }

    /** This thread's object. */
    public T get() {
        Thread t = Thread.currentThread();
        int i = (int) t.getId() & (slots.length - 1);
        Held<T> h = slots[i];
        if (h != null && h.owner.get() == t) {
            return h.value;
        }
        h = local.get();
        Held<T> there = slots[i];
        if (there == null || there.owner.get() == null) {
            slots[i] = h; // racy on purpose: a thread that loses the race keeps using the thread-local
        }
        return h.value;
    }

    /** A thread's object, and the thread it belongs to (weakly: a slot does not keep a finished thread). */
    private static final class Held<T> {
        final WeakReference<Thread> owner;
        final T value;

        Held(Thread owner, T value) {
            this.owner = new WeakReference<>(owner);
            this.value = value;
        }
    }
}

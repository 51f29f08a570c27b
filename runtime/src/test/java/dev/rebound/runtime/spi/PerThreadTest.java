package dev.rebound.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** {@link PerThread}: one object per thread, held by the {@code PerThread}, never by the thread. */
class PerThreadTest {

    private static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
        }
        return ref.get() == null;
    }

    /** More threads than slots: those whose slot is taken find theirs through the thread-local. */
    @Test
    void eachOfManyLiveThreadsGetsItsOwnObjectOnEveryAsk() throws Exception {
        PerThread<Object> perThread = new PerThread<>(Object::new);
        int n = 600;
        Set<Object> distinct = ConcurrentHashMap.newKeySet();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        CountDownLatch allAsked = new CountDownLatch(n);
        CountDownLatch end = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                Object mine = perThread.get();
                distinct.add(mine);
                allAsked.countDown();
                try {
                    allAsked.await();
                    System.gc(); // the thread-local holds its object weakly: it must survive a collection
                    for (int k = 0; k < 3; k++) {
                        if (perThread.get() != mine) {
                            problems.add(Thread.currentThread().getName());
                        }
                    }
                    end.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            threads.add(t);
            t.start();
        }
        allAsked.await();
        end.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertThat(distinct).hasSize(n);
        assertThat(problems).isEmpty();
    }

    /**
     * The thread that asked keeps nothing: once the {@code PerThread} (and so the class that owns it,
     * and its class loader) is unreachable, the thread's object is collected, the thread still running.
     */
    @Test
    void aLiveThreadKeepsNothingOnceThePerThreadIsUnreachable() {
        PerThread<Object> perThread = new PerThread<>(Object::new);
        WeakReference<Object> object = new WeakReference<>(perThread.get());
        WeakReference<Object> owner = new WeakReference<>(perThread);
        perThread = null;

        assertThat(collected(owner)).isTrue();
        assertThat(collected(object)).as("this thread's object, this thread alive").isTrue();
    }

    /**
     * An ended thread's object is dropped once later threads' first asks fill the list; its slot (one
     * of 256) keeps it until another thread takes the slot.
     */
    @Test
    void theObjectsOfEndedThreadsAreDropped() throws Exception {
        PerThread<Object> perThread = new PerThread<>(Object::new);
        List<WeakReference<Object>> ended = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            Object[] got = new Object[1];
            Thread t = new Thread(() -> got[0] = perThread.get());
            t.start();
            t.join();
            ended.add(new WeakReference<>(got[0]));
        }
        Object[] last = new Object[1];
        Thread t = new Thread(() -> last[0] = perThread.get());
        t.start();
        t.join();

        for (int i = 0; i < 30 && ended.stream().filter(r -> r.get() != null).count() > 256 + 8; i++) {
            System.gc();
        }
        assertThat(ended.stream().filter(r -> r.get() != null).count())
                .as("objects of the 600 ended threads still kept: by the slots, by the list")
                .isLessThanOrEqualTo(256 + 8);
        assertThat(perThread.get()).isNotNull();
    }
}

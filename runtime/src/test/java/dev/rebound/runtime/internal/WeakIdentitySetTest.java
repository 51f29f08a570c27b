package dev.rebound.runtime.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The set in which a container door marks the instances it made: by identity, whatever their class's
 * {@code equals}, and keeping none of them alive.
 */
class WeakIdentitySetTest {

    /** An application's class whose instances are all equal to each other. */
    static final class AllEqual {
        @Override
        public boolean equals(Object o) {
            return o instanceof AllEqual;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    @Test
    void holdsTheObjectAddedNotAnotherThatEqualsIt() {
        WeakIdentitySet set = new WeakIdentitySet();
        AllEqual added = new AllEqual();
        AllEqual equal = new AllEqual();

        set.add(added);
        set.add(added);

        assertThat(set.contains(added)).isTrue();
        assertThat(set.contains(equal)).as("equal, not the same").isFalse();
        assertThat(set.contains(null)).isFalse();
        assertThat(set.size()).as("added twice, held once").isEqualTo(1);
        assertThatThrownBy(() -> set.add(null)).isInstanceOf(NullPointerException.class).hasMessage("object");
    }

    @Test
    void growsAndFindsEveryObjectAdded() {
        WeakIdentitySet set = new WeakIdentitySet();
        List<Object> added = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            Object o = new AllEqual();
            added.add(o);
            set.add(o);
        }

        assertThat(added).allMatch(set::contains);
        assertThat(set.contains(new AllEqual())).isFalse();
        assertThat(set.size()).isEqualTo(10_000);
    }

    @Test
    void keepsNoObjectAliveAndDropsTheClearedOnesAsItAdds() {
        WeakIdentitySet set = new WeakIdentitySet();
        List<WeakReference<Object>> dropped = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            Object o = new AllEqual();
            set.add(o);
            dropped.add(new WeakReference<>(o));
        }
        Object kept = new AllEqual();
        set.add(kept);

        for (int i = 0; i < 50 && dropped.stream().anyMatch(r -> r.get() != null); i++) {
            System.gc();
        }
        assertThat(dropped).as("after GC").allMatch(r -> r.get() == null);
        // the collector hands the cleared references over on its own thread: each add drops those handed over
        List<Object> live = new ArrayList<>(List.of(kept));
        for (int i = 0; i < 100_000 && set.size() != live.size(); i++) {
            Object next = new AllEqual();
            live.add(next);
            set.add(next);
            Thread.yield();
        }

        assertThat(set.size()).as("the live ones, once the cleared ones are dropped").isEqualTo(live.size());
        assertThat(live).allMatch(set::contains);
    }

    @Test
    void eachThreadFindsWhatItAddedWhileOthersAddAndGrowTheTable() throws Exception {
        WeakIdentitySet set = new WeakIdentitySet();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<List<Object>>> made = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                made.add(pool.submit(() -> {
                    start.await();
                    List<Object> mine = new ArrayList<>();
                    for (int i = 0; i < 5_000; i++) {
                        Object o = new AllEqual();
                        set.add(o);
                        mine.add(o);
                        assertThat(set.contains(o)).isTrue();
                    }
                    return mine;
                }));
            }
            start.countDown();
            List<Object> all = new ArrayList<>();
            for (Future<List<Object>> f : made) {
                all.addAll(f.get(30, TimeUnit.SECONDS));
            }

            assertThat(all).hasSize(20_000).allMatch(set::contains);
            assertThat(set.size()).isEqualTo(20_000);
        } finally {
            pool.shutdownNow();
        }
    }
}

package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rebound.annotations.Fallback;
import dev.rebound.runtime.testing.VirtualTimeSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * When ReboundSettings.setGlobal says that a new alternatives resolver is not asked for the alternatives
 * the previous one made (ReboundSettings' Javadoc, containers.md): after one default resolver replaced
 * another, when the resolver is replaced while it makes one, never for settings that only change the
 * clock, and never for alternatives no policy in use holds (a test's dropped wrapper). From a reviewer's
 * reproductions of the first version's misses.
 */
class LateResolverWarningTest {

    public interface Asking {
        String ask(String q);
    }

    public static class Backup implements Asking {
        private final String from;

        public Backup() {
            this("the default resolver");
        }

        Backup(String from) {
            this.from = from;
        }

        @Override
        public String ask(String q) {
            return "backup from " + from;
        }
    }

    public static class Primary implements Asking {
        @Override
        @Fallback(to = Backup.class)
        public String ask(String q) {
            throw new IllegalStateException("down");
        }
    }

    private static final String WARN = "ReboundSettings.setGlobal: the new settings' alternatives resolver is not"
            + " asked for the alternatives the previous one made";

    private ReboundSettings saved;

    @BeforeEach
    void save() {
        saved = ReboundSettings.global();
    }

    @AfterEach
    void restore() {
        ReboundSettings.setGlobal(saved);
    }

    /**
     * aspectj.md's test pattern (setGlobal(builder()...build()) then setGlobal(before)) swaps one default
     * resolver for another: the notes of the one that made the alternative are dropped, so a custom resolver
     * set later is not asked for it, and nothing says so.
     */
    @Test
    void aCustomResolverAfterADefaultForDefaultSwapIsSaidNotToBeAsked() {
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .build());
        Asking wrapped = Rebound.wrap(Asking.class, new Primary()).build(); // the default resolver makes Backup
        assertThat(wrapped.ask("q")).isEqualTo("backup from the default resolver");
        ReboundSettings.setGlobal(ReboundSettings.builder().timeSource(new VirtualTimeSource()).logging(false)
                .build()); // a test's clock only: another default resolver

        List<Class<?>> asked = new CopyOnWriteArrayList<>();
        String log = StdErr.during(() -> ReboundSettings.setGlobal(ReboundSettings.builder().logging(false)
                .alternatives(type -> {
                    asked.add(type);
                    return new Backup("the container");
                }).build()));

        assertThat(wrapped.ask("q")).isEqualTo("backup from the default resolver");
        assertThat(asked).isEmpty();
        assertThat(log).as("the WARN naming %s", Backup.class.getName()).contains(WARN);
    }

    /**
     * setGlobal while the resolver it replaces is making an alternative: the note lands on the replaced
     * resolver after setGlobal looked, so the policy keeps the old resolver's instance and nothing is said.
     */
    @Test
    void aResolverReplacedWhileItMakesAnAlternativeIsSaid() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).alternatives(type -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Backup("the first resolver");
        }).build());
        List<Class<?>> askedSecond = new CopyOnWriteArrayList<>();
        String[] log = new String[1];
        Asking[] wrapped = new Asking[1];
        log[0] = StdErr.during(() -> {
            CompletableFuture<Asking> building = CompletableFuture.supplyAsync(
                    () -> Rebound.wrap(Asking.class, new Primary()).build());
            try {
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).alternatives(type -> {
                    askedSecond.add(type);
                    return new Backup("the second resolver");
                }).build());
                release.countDown();
                wrapped[0] = building.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(wrapped[0].ask("q")).isEqualTo("backup from the first resolver");
        assertThat(askedSecond).isEmpty();
        assertThat(log[0]).as("the WARN naming %s", Backup.class.getName()).contains(WARN);
    }

    /** Holds: settings that only change the clock (toBuilder) say nothing. */
    @Test
    void holdsAClockOnlyChangeIsQuiet() {
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).alternatives(type -> new Backup("c"))
                .build());
        Asking wrapped = Rebound.wrap(Asking.class, new Primary()).build();
        String log = StdErr.during(() -> ReboundSettings.setGlobal(ReboundSettings.global().toBuilder()
                .timeSource(new VirtualTimeSource()).build()));
        assertThat(wrapped.ask("q")).isEqualTo("backup from c");
        assertThat(log).doesNotContain(WARN);
    }

    /**
     * A test that sets a resolver, builds a wrapper on the global settings, drops it and restores the
     * settings (testing.md's pattern): no policy keeps anything the resolver made, yet the restore warns.
     */
    @Test
    void restoringAfterADroppedWrapperIsQuiet() {
        ReboundSettings.setGlobal(ReboundSettings.builder().logging(false).alternatives(type -> new Backup("c"))
                .build());
        java.lang.ref.WeakReference<Asking> dropped = new java.lang.ref.WeakReference<>(
                Rebound.wrap(Asking.class, new Primary()).build());
        for (int i = 0; i < 50 && dropped.get() != null; i++) {
            System.gc();
        }
        assertThat(dropped.get()).isNull();
        String log = StdErr.during(() -> ReboundSettings.setGlobal(saved));
        assertThat(log).doesNotContain(WARN);
    }

}

package dev.rebound.it;

import dev.rebound.runtime.TimeSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A clock whose sleep throws (one of the engine's own collaborators failing): the first {@code fine}
 * sleeps pass at once and are recorded, every later one throws what {@code broke} makes (a
 * RuntimeException or an Error). Its time stands still.
 */
public final class BrokenSleep implements TimeSource {

    private final int fine;
    private final Supplier<? extends Throwable> broke;
    private final List<Duration> sleeps = new ArrayList<>();

    public BrokenSleep(int fine, Supplier<? extends Throwable> broke) {
        this.fine = fine;
        this.broke = broke;
    }

    @Override
    public long nanoTime() {
        return 0L;
    }

    @Override
    public void sleep(long nanos) {
        if (sleeps.size() >= fine) {
            Throwable t = broke.get();
            if (t instanceof Error) {
                throw (Error) t;
            }
            throw (RuntimeException) t;
        }
        sleeps.add(Duration.ofNanos(nanos));
    }

    /** The sleeps that passed, in order. */
    public List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }
}

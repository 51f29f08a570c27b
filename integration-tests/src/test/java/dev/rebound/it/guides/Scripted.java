package dev.rebound.it.guides;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A chat target for the guides' examples: throws its scripted failures in order, then answers; counts calls. */
final class Scripted implements GuideChat {

    private final String name;
    private final Deque<RuntimeException> failures;
    private final boolean alwaysFails;
    private final AtomicInteger calls = new AtomicInteger();

    private Scripted(String name, List<RuntimeException> failures, boolean alwaysFails) {
        this.name = name;
        this.failures = new ArrayDeque<>(failures);
        this.alwaysFails = alwaysFails;
    }

    static Scripted failingThenAnswering(String name, RuntimeException... failures) {
        return new Scripted(name, List.of(failures), false);
    }

    static Scripted down(String name) {
        return new Scripted(name, List.of(), true);
    }

    @Override
    public String chat(String prompt) {
        calls.incrementAndGet();
        synchronized (failures) {
            if (alwaysFails) {
                throw new IllegalStateException(name + " is down");
            }
            if (!failures.isEmpty()) {
                throw failures.poll();
            }
        }
        return name + ": " + prompt;
    }

    int calls() {
        return calls.get();
    }

    @Override
    public String toString() {
        return name;
    }
}

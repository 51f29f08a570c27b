package dev.rebound.runtime;

import dev.rebound.runtime.ReboundEvent.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A listener that keeps every event, thread-safe, for assertions. */
final class Events implements ReboundListener {

    private final ConcurrentLinkedQueue<ReboundEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    public void onEvent(ReboundEvent event) {
        events.add(event);
    }

    List<ReboundEvent> all() {
        return new ArrayList<>(events);
    }

    List<ReboundEvent> of(Kind kind) {
        List<ReboundEvent> out = new ArrayList<>();
        for (ReboundEvent e : events) {
            if (e.kind() == kind) {
                out.add(e);
            }
        }
        return out;
    }

    /** Forgets the events so far. */
    void clear() {
        events.clear();
    }

    /** The kinds of the circuit events, in order. */
    List<Kind> transitions() {
        List<Kind> out = new ArrayList<>();
        for (ReboundEvent e : events) {
            if (e.kind().name().startsWith("CIRCUIT_")) {
                out.add(e.kind());
            }
        }
        return out;
    }

    /** Settings on {@code time} that report to this listener, without logging. */
    ReboundSettings settings(TimeSource time) {
        return ReboundSettings.builder().timeSource(time).logging(false).listener(this).build();
    }
}

package dev.rebound.demo;

import dev.rebound.runtime.metrics.MicrometerListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * What Rebound's Micrometer meters counted during the demo, as one line. One listener on both levels:
 * gpt-4's wrapper leaves the attempts of the fallbacks, wrappers of their own, to them, and a fallback's
 * call is part of gpt-4's, so the registry counts each request once and the question as one call.
 */
final class MetricsLine {

    final MeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerListener listener = new MicrometerListener(registry);

    /** The one listener, for the settings of gpt-4's wrapper and of the fallbacks'. */
    MicrometerListener listener() {
        return listener;
    }

    /**
     * {@code Metrics: calls fallback=1, attempts 6 (gpt-4 3, fallback models 3), ...}; with
     * {@code , streams.broken=N} after the calls when streams broke after their first token.
     */
    String render() {
        StringBuilder calls = new StringBuilder();
        for (Meter m : registry.find(MicrometerListener.CALLS).meters()) {
            long n = (long) ((Counter) m).count();
            if (n > 0) {
                calls.append(calls.length() == 0 ? "" : " ").append(m.getId().getTag("outcome")).append('=').append(n);
            }
        }
        // a stream that broke after its first token counts as an answered call: say it broke
        long broken = (long) sum(MicrometerListener.STREAMS_BROKEN, null);
        if (broken > 0) {
            calls.append(", streams.broken=").append(broken);
        }
        long primaryAttempts = (long) sum(MicrometerListener.ATTEMPTS, ModelChain.PRIMARY);
        long fallbackAttempts = (long) sum(MicrometerListener.ATTEMPTS, null) - primaryAttempts;
        StringBuilder switches = new StringBuilder();
        // in the chain's order (the registry's is a hash order)
        java.util.List<String> chain = new java.util.ArrayList<>();
        chain.add(ModelChain.PRIMARY);
        chain.addAll(ModelChain.FALLBACKS);
        java.util.List<Meter> pairs = new java.util.ArrayList<>(registry.find(MicrometerListener.FALLBACKS).meters());
        pairs.sort(java.util.Comparator.comparingInt(m -> chain.indexOf(m.getId().getTag("from"))));
        for (Meter m : pairs) {
            switches.append(' ').append(m.getId().getTag("from")).append("->").append(m.getId().getTag("to"))
                    .append('=').append((long) ((Counter) m).count());
        }
        Timer duration = registry.find(MicrometerListener.DURATION).timer();
        double seconds = duration == null ? 0 : duration.totalTime(TimeUnit.MILLISECONDS) / 1000.0;
        return String.format(Locale.ROOT, "Metrics: calls %s, attempts %d (gpt-4 %d, fallback models %d), fallbacks%s,"
                + " call duration %.1f s", calls, primaryAttempts + fallbackAttempts, primaryAttempts, fallbackAttempts,
                switches.length() == 0 ? " 0" : switches, seconds);
    }

    /** The counter {@code name} summed over its meters, those of {@code target} only when not null. */
    private double sum(String name, String target) {
        double total = 0;
        for (Meter m : registry.find(name).meters()) {
            if (target == null || target.equals(m.getId().getTag("target"))) {
                total += ((Counter) m).count();
            }
        }
        return total;
    }
}

package dev.rebound.runtime.internal;

import dev.rebound.runtime.ReboundConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The shared names one build defines (the rate-limit keys and retry budgets of a {@code Rebound.wrap}, of a
 * class a door resolves): each checked against the names defined before it and the build's own, and
 * registered only by {@link #register()}, once the whole build has no problem. A build that fails defines
 * nothing, and the next build may define the name otherwise. Used at resolution, never per call.
 */
public final class Definitions {

    /**
     * One name of {@code registry} that this build defines as {@code value}; {@code problem}: the
     * configuration problem, in full, when another definition is found.
     */
    private record Pending(Map<String, Object> registry, String name, Object value,
            Function<Object, String> problem) {
    }

    private final List<Pending> pending = new ArrayList<>();

    /**
     * Defines {@code name} in {@code registry} as {@code value} once the build registers: null, or, when
     * the registry or this build already defines it otherwise, {@code problem} of the value found there
     * (the whole problem, naming its method). Writes nothing to {@code registry}.
     */
    String define(Map<String, Object> registry, String name, Object value, Function<Object, String> problem) {
        for (Pending p : pending) {
            if (p.registry == registry && p.name.equals(name)) {
                return p.value.equals(value) ? null : problem.apply(p.value);
            }
        }
        Object first = registry.get(name);
        if (first != null) {
            return first.equals(value) ? null : problem.apply(first);
        }
        pending.add(new Pending(registry, name, value, problem));
        return null;
    }

    /**
     * Registers every name this build defined: call it once the build has no problem.
     *
     * @throws ReboundConfigurationException when a build that registered meanwhile defined one otherwise
     *     (then none of this build's is registered)
     */
    public void register() {
        if (pending.isEmpty()) {
            return;
        }
        synchronized (Definitions.class) {
            List<String> problems = new ArrayList<>();
            for (Pending p : pending) {
                Object first = p.registry.get(p.name);
                if (first != null && !first.equals(p.value)) {
                    problems.add(p.problem.apply(first));
                }
            }
            if (!problems.isEmpty()) {
                throw new ReboundConfigurationException(problems);
            }
            for (Pending p : pending) {
                p.registry.putIfAbsent(p.name, p.value);
            }
        }
        pending.clear();
    }
}

package dev.rebound.modelserver;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The faults scripted per model and per prompt, and which one the next request gets: a prompt's script
 * first, then the model's, then an answer. Not thread-safe: guarded by the {@link ModelServer}.
 */
final class FaultScripts {

    private final Map<String, Script> scripts = new LinkedHashMap<>();
    private final Map<String, List<Script>> promptScripts = new LinkedHashMap<>();

    /** {@code steps} in order, then {@code forever} (null: answers); replaces the model's script. */
    void script(String model, Fault[] steps, Fault forever) {
        scripts.put(Objects.requireNonNull(model, "model"), new Script(null, steps, forever));
    }

    /** {@code steps} in order for the model's requests whose prompt contains {@code promptContains}. */
    void scriptForPrompt(String model, String promptContains, Fault[] steps) {
        Objects.requireNonNull(promptContains, "promptContains");
        promptScripts.computeIfAbsent(Objects.requireNonNull(model, "model"), m -> new ArrayList<>())
                .add(new Script(promptContains, steps, null));
    }

    /** The fault of the next request for {@code model} with {@code prompt}. */
    Fault next(String model, String prompt) {
        for (Script s : promptScripts.getOrDefault(model, List.of())) {
            if (prompt.contains(s.promptContains) && s.hasNext()) {
                return s.next();
            }
        }
        Script s = scripts.get(model);
        return s != null && s.hasNext() ? s.next() : Fault.answer();
    }

    void clear() {
        scripts.clear();
        promptScripts.clear();
    }

    /** Steps served in order, then {@code forever} (null = answers). */
    private static final class Script {
        final String promptContains;
        final Deque<Fault> steps;
        final Fault forever;

        Script(String promptContains, Fault[] steps, Fault forever) {
            this.promptContains = promptContains;
            this.steps = new ArrayDeque<>();
            for (int i = 0; i < steps.length; i++) {
                this.steps.add(Objects.requireNonNull(steps[i], "steps[" + i + "]"));
            }
            this.forever = forever;
        }

        boolean hasNext() {
            return !steps.isEmpty() || forever != null;
        }

        Fault next() {
            return steps.isEmpty() ? forever : steps.poll();
        }
    }
}

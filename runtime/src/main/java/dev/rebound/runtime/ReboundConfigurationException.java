package dev.rebound.runtime;

import java.util.List;

/**
 * A policy that cannot be built: thrown when the policy is resolved (at build, bind or class
 * initialisation time), never on a call. Lists every problem found, each naming the method and
 * the attribute.
 */
public final class ReboundConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * @param problems each problem, as {@link #problems()} gives it back (copied); its message joins them
     * @throws NullPointerException if {@code problems} or one of them is null
     */
    public ReboundConfigurationException(List<String> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, as {@code ChatClient.chat(String): @Retry.attempts = 0 is outside 1..100}. */
    public List<String> problems() {
        return problems;
    }

    private static String render(List<String> problems) {
        if (problems.size() == 1) {
            return "Invalid Rebound configuration: " + problems.get(0);
        }
        StringBuilder sb = new StringBuilder("Invalid Rebound configuration (")
                .append(problems.size()).append(" problems):");
        for (String p : problems) {
            sb.append("\n  - ").append(p);
        }
        return sb.toString();
    }
}

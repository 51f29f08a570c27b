package dev.rebound.benchmarks;

/**
 * The annotated contender compiled by javac alone: what the Guice module intercepts, and the
 * unwoven twin of {@link dev.rebound.benchmarks.woven.WovenModel} in path (e).
 */
public class AnnotatedModel implements ResilientModel {

    private Model behaviour;

    /** What {@code chat} and {@code plain} do: the path's primary. */
    public void behaveAs(Model behaviour) {
        this.behaviour = behaviour;
    }

    @Override
    public String chat(String prompt) {
        return behaviour.chat(prompt);
    }

    /** Carries no annotation: path (e). */
    public String plain(String prompt) {
        return behaviour.chat(prompt);
    }
}

package dev.rebound.benchmarks;

import com.google.inject.name.Named;
import jakarta.inject.Inject;

/**
 * The annotated contender compiled by javac alone: what the Guice module intercepts, and the
 * unwoven twin of {@link dev.rebound.benchmarks.woven.WovenModel} in path (e). Its code is the
 * woven class's, on purpose: the two differ only in how they were compiled.
 */
public class AnnotatedModel implements ResilientModel {

    private final Model behaviour;

    /** {@code behaviour}: what {@code chat} and {@code plain} do, the path's primary. */
    @Inject
    public AnnotatedModel(@Named("behaviour") Model behaviour) {
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

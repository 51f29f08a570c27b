package dev.rebound.benchmarks.woven;

import dev.rebound.benchmarks.Model;
import dev.rebound.benchmarks.ResilientModel;

/**
 * The woven contender: the only class of this module that ajc compiles with rebound-weaver, so
 * that the aspect sits on nothing else (the harness, the subjects and the peers stay as javac made
 * them). Its code is {@link dev.rebound.benchmarks.AnnotatedModel}'s.
 */
public class WovenModel implements ResilientModel {

    private final Model behaviour;

    public WovenModel(Model behaviour) {
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

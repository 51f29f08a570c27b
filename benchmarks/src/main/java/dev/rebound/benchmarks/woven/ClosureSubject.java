package dev.rebound.benchmarks.woven;

import dev.rebound.benchmarks.Model;

/** What {@link ClosureAlone} advises: a model whose every call goes through AspectJ's closure. */
public class ClosureSubject implements Model {

    private final Model behaviour;

    public ClosureSubject(Model behaviour) {
        this.behaviour = behaviour;
    }

    @Override
    public String chat(String prompt) {
        return behaviour.chat(prompt);
    }
}

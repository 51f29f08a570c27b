package dev.rebound.it.woven;

import dev.rebound.it.llm.FakeModel;
import dev.rebound.it.seed.OneModel;

/** A model of any name, under {@link OneModel.Llm}'s {@code @Retry(attempts = 3)}. */
public class NamedGpt extends FakeModel implements OneModel.Llm {

    public NamedGpt(String model) {
        super(model);
    }
}

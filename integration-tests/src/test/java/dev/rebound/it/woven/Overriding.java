package dev.rebound.it.woven;

import dev.rebound.it.llm.FakeModel;
import dev.rebound.it.seed.OneModel;

/** A woven override that calls the woven method it overrides: the policy applies once, at the override. */
public class Overriding extends FakeModel implements OneModel.Llm {

    public Overriding() {
        super("gpt-4");
    }

    @Override
    public String invoke(String prompt) {
        return super.invoke(prompt.trim());
    }
}

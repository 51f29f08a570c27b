package dev.rebound.it.llm;

/**
 * A named model of {@link FakeLlm}. The seed's models extend it and implement their scenario's
 * interface, so the woven method they run is inherited: its policy comes from the subclass's
 * interface, resolved per runtime class.
 */
public abstract class FakeModel {

    private final String model;

    protected FakeModel(String model) {
        this.model = model;
    }

    public String invoke(String prompt) {
        return FakeLlm.complete(model, prompt);
    }
}

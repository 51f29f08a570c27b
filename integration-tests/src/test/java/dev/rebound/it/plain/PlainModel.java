package dev.rebound.it.plain;

import dev.rebound.it.llm.FakeLlm;

/** A model that calls the fake LLM at the endpoint the injector gave it. Not woven. */
public abstract class PlainModel implements PlainChat {

    private final Endpoint endpoint;

    protected PlainModel(Endpoint endpoint) {
        this.endpoint = endpoint;
    }

    @Override
    public String chat(String prompt) {
        return FakeLlm.complete(endpoint.model(), prompt);
    }

    @Override
    public String model() {
        return endpoint.model();
    }
}

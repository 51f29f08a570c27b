package dev.rebound.it.plain;

import dev.rebound.it.llm.FakeLlm;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** The alternative: no no-arg constructor, so only an injector can provide it. */
public class PlainGpt35 implements PlainChat {

    private final Endpoint endpoint;

    @Inject
    public PlainGpt35(@Named("gpt-3.5") Endpoint endpoint) {
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

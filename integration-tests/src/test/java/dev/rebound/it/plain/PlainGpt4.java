package dev.rebound.it.plain;

import dev.rebound.it.llm.FakeLlm;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** The primary, constructed by the injector (or by hand, for the wrapping cases). */
public class PlainGpt4 implements PlainChat {

    private final Endpoint endpoint;

    @Inject
    public PlainGpt4(@Named("gpt-4") Endpoint endpoint) {
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

package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** PlainGpt35 with a @Retry of its own: what an injector may bind PlainGpt35 to. */
public class PatientGpt35 extends PlainGpt35 {

    @Inject
    public PatientGpt35(@Named("gpt-3.5") Endpoint endpoint) {
        super(endpoint);
    }

    @Override
    @Retry(attempts = 4, delay = 0)
    public String chat(String prompt) {
        return super.chat(prompt);
    }
}

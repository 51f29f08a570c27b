package dev.rebound.it.plain;

import dev.rebound.annotations.Retry;
import jakarta.inject.Inject;
import jakarta.inject.Named;

/** A primary whose own method-level @Retry overrides the interface's (5 attempts instead of 3). */
public class PatientGpt4 extends PlainModel {
    @Inject
    public PatientGpt4(@Named("gpt-4") Endpoint endpoint) {
        super(endpoint);
    }

    @Override
    @Retry(attempts = 5, delay = 100, jitter = false)
    public String chat(String prompt) {
        return super.chat(prompt);
    }
}

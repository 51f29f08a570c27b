package dev.rebound.it.plain;

import jakarta.inject.Inject;
import jakarta.inject.Named;

/** The alternative: no no-arg constructor, so only an injector can provide it. */
public class PlainGpt35 extends PlainModel {

    @Inject
    public PlainGpt35(@Named("gpt-3.5") Endpoint endpoint) {
        super(endpoint);
    }
}

package dev.rebound.it.plain;

import jakarta.inject.Inject;
import jakarta.inject.Named;

/** The primary, constructed by the injector (or by hand, for the wrapping cases). */
public class PlainGpt4 extends PlainModel {

    @Inject
    public PlainGpt4(@Named("gpt-4") Endpoint endpoint) {
        super(endpoint);
    }
}

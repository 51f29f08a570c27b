package dev.rebound.it.plain;

/** A dependency the injector gives the models: which model name they call. */
public final class Endpoint {

    private final String model;

    public Endpoint(String model) {
        this.model = model;
    }

    public String model() {
        return model;
    }
}

package dev.rebound.it.plain.generated;

/** An interface without policy. */
public interface Answerer {
    String answer(String q);
}

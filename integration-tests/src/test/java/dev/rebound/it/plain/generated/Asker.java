package dev.rebound.it.plain.generated;

/** An interface without policy. */
public interface Asker {
    String ask(String q);

    int calls();
}

package dev.rebound.ltw.generated;

import dev.rebound.annotations.Retry;

/**
 * Stands for a Mockito spy of Copier: Mockito names it with $MockitoMock$ and copies the mocked class's
 * annotations onto its overrides, which call the class's own method.
 */
public class Copier$MockitoMock$12 extends Copier {
    @Override
    @Retry(attempts = 3, delay = 0)
    public String ask(String q) {
        return super.ask(q);
    }
}

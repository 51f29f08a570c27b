package dev.rebound.runtime.spi;

import dev.rebound.annotations.Retry;

/** Stands for a Mockito mock, which copies the mocked class's annotations onto its own methods: still generated. */
public class Backend$MockitoMock$Copied extends GeneratedSubclassesTest.Backend {
    @Override
    @Retry(attempts = 2, delay = 0)
    public String chat(String prompt) {
        return super.chat(prompt);
    }
}

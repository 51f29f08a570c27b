package dev.rebound.runtime.spi;

/**
 * Stands for a subclass a generator without a mark of its own makes (a bare $$, as OpenWebBeans'), declaring no
 * Rebound annotation: the class above it is the user's.
 */
public class Backend$$OwbNormalScopeProxy0 extends GeneratedSubclassesTest.Backend {
    @Override
    public String chat(String prompt) {
        return super.chat(prompt);
    }
}

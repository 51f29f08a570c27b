package dev.rebound.runtime.spi;

/** Stands for a subclass a library generates at run time (top level, a generator's mark, never woven). */
public class Backend$$EnhancerByGuice$$1a2b extends GeneratedSubclassesTest.Backend {
}

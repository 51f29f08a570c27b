package dev.rebound.runtime.spi;

/** Stands for a subclass a library generates at run time (top level, a generator's mark, never woven). */
public class Backend$MockitoMock$1021 extends GeneratedSubclassesTest.Backend {
}

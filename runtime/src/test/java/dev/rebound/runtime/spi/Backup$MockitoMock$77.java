package dev.rebound.runtime.spi;

/** Stands for a Mockito subclass (a spy) of Backup. */
public class Backup$MockitoMock$77 extends FallbackContextAlternativesTest.Backup {
}

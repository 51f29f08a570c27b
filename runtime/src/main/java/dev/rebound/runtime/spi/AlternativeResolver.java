package dev.rebound.runtime.spi;

/**
 * Where the instances of {@code @Fallback(to = ...)} classes come from when no injector provides
 * them. The default creates each class once through its public no-arg constructor; replace it
 * (see {@code ReboundSettings.Builder#alternatives}) to take them from your own container.
 */
@FunctionalInterface
public interface AlternativeResolver {

    /**
     * The instance to call for {@code type}. Called once per method whose policy names {@code type}, when
     * that policy is resolved (the default resolver makes each class once and gives every method that one).
     *
     * @throws RuntimeException with a clear message if {@code type} can't be provided
     */
    Object instanceOf(Class<?> type);
}

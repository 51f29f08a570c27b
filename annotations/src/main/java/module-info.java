/** What users write: {@code @Retry}, {@code @Fallback}, {@code @CircuitBreaker}, {@code @NonIdempotent}. No dependencies. */
module dev.rebound.annotations {
    exports dev.rebound.annotations;
}

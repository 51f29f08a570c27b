package dev.rebound.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.WeakReference;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * An application server undeploys a web application: its class loader must be collectable once the
 * application's own objects are gone, whether Rebound sits in the server's shared lib (a parent
 * loader that stays) or in the application (WEB-INF/lib, a copy that goes with it). The application
 * ({@link WebappCalls}) runs on a request thread whose context class loader is the application's, as
 * a container sets it, and which carries an inheritable thread-local holding one of its classes.
 * Checked with a weak reference and a bounded number of collections.
 */
class ClassLoaderRetentionTest {

    private static final InheritableThreadLocal<Object> REQUEST_SCOPED = new InheritableThreadLocal<>();

    private static URL where(Class<?> c) {
        return c.getProtectionDomain().getCodeSource().getLocation();
    }

    /** What the shared lib or WEB-INF/lib holds: Rebound, its annotations, slf4j's API. */
    private static List<URL> rebound() {
        List<URL> urls = new ArrayList<>();
        urls.add(where(Rebound.class));
        urls.add(where(dev.rebound.annotations.Retry.class));
        urls.add(where(org.slf4j.Logger.class));
        return urls;
    }

    /** The shared lib of applications with rate limits: Rebound's and Bucket4j. */
    private static URLClassLoader sharedLibWithBucket4j() {
        List<URL> urls = rebound();
        urls.add(where(io.github.bucket4j.Bucket.class));
        return new URLClassLoader("shared", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
    }

    /** A web application's loader over {@code parent}: it defines {@link WebappCalls} (and its nested types) itself. */
    static final class ApplicationLoader extends ClassLoader {
        ApplicationLoader(ClassLoader parent) {
            super("application", parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith(WebappCalls.class.getName())) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    String file = name.replace('.', '/') + ".class";
                    try (InputStream in = ClassLoaderRetentionTest.class.getClassLoader().getResourceAsStream(file)) {
                        byte[] b = in.readAllBytes();
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                return c;
            }
        }
    }

    private static boolean collected(WeakReference<?> ref) {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
        }
        return ref.get() == null;
    }

    private static Set<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith(prefix))
                .collect(Collectors.toSet());
    }

    /**
     * Runs each of {@code methods} of the application's {@link WebappCalls}, as a request would: with the
     * application's loader as context class loader and in an inheritable thread-local, on
     * {@code thread}'s executor; then forgets everything of the application on that thread.
     */
    private static void request(ExecutorService thread, ClassLoader application, String... methods)
            throws Exception {
        thread.submit(() -> {
            Thread me = Thread.currentThread();
            ClassLoader before = me.getContextClassLoader();
            me.setContextClassLoader(application);
            try {
                Class<?> calls = application.loadClass(WebappCalls.class.getName());
                assertThat(calls.getClassLoader()).isSameAs(application);
                REQUEST_SCOPED.set(calls);
                for (String m : methods) {
                    Method method = calls.getMethod(m);
                    assertThat(method.invoke(null)).isEqualTo("ok");
                }
            } finally {
                REQUEST_SCOPED.remove();
                me.setContextClassLoader(before);
            }
            return null;
        }).get(30, TimeUnit.SECONDS);
    }

    /**
     * Calls the application's {@link WebappCalls} {@code method} with {@code args} on this thread, with the
     * application's loader as context class loader: what it returns, or throws.
     */
    private static Object call(ClassLoader application, String method, Object... args) throws Throwable {
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        me.setContextClassLoader(application);
        try {
            for (Method m : application.loadClass(WebappCalls.class.getName()).getMethods()) {
                if (m.getName().equals(method)) {
                    return m.invoke(null, args);
                }
            }
            throw new AssertionError("no method " + method);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } finally {
            me.setContextClassLoader(before);
        }
    }

    /** What {@link #call} throws; null when it returns. */
    private static Throwable thrown(ClassLoader application, String method, Object... args) {
        try {
            call(application, method, args);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** A request thread that ends with its request. */
    private static void requestOnAThreadThatEnds(ClassLoader application, String... methods) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        try {
            request(thread, application, methods);
        } finally {
            thread.shutdown();
            assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Rebound in the server's shared lib: the timer and branch threads an application's request
     * started keep running for the other applications, and keep nothing of the one undeployed.
     */
    @Test
    void reboundInTheSharedLibKeepsNoUndeployedApplicationsLoaderInItsThreads() throws Exception {
        try (URLClassLoader shared = new URLClassLoader("shared", rebound().toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            Set<Thread> before = threadsNamed("rebound-");
            ApplicationLoader application = new ApplicationLoader(shared);
            requestOnAThreadThatEnds(application, "timedCall", "parallelCall");
            // a timer pending for another application keeps the shared timer thread running
            Object clock = shared.loadClass(TimeSource.class.getName()).getMethod("system").invoke(null);
            Future<?> other = (Future<?>) clock.getClass().getMethod("schedule", long.class, Runnable.class)
                    .invoke(clock, TimeUnit.HOURS.toNanos(1), (Runnable) () -> { });
            try {
                Set<Thread> started = threadsNamed("rebound-");
                started.removeAll(before);
                assertThat(started).extracting(Thread::getName).contains("rebound-timeout", "rebound-branch-1");
                assertThat(started).allSatisfy(t -> assertThat(t.getContextClassLoader()).as(t.getName()).isNull());
                WeakReference<ClassLoader> undeployed = new WeakReference<>(application);
                application = null;

                assertThat(collected(undeployed)).as("the undeployed application's loader is collected").isTrue();
                assertThat(started).as("Rebound's threads still run").allMatch(Thread::isAlive);
            } finally {
                other.cancel(false);
            }
        }
    }

    /**
     * Rebound in the server's shared lib, an application that fell back on the global settings (a wrapper
     * built without settings; a policy resolved as a woven class's): the global settings' resolver, which
     * stays with the shared lib, made its fallback, and keeps nothing of the application once it is
     * undeployed. The global settings are still in use by the server's other applications.
     */
    @Test
    void reboundInTheSharedLibKeepsNoUndeployedApplicationThatFellBackOnTheGlobalSettings() throws Exception {
        try (URLClassLoader shared = new URLClassLoader("shared", rebound().toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader())) {
            ApplicationLoader application = new ApplicationLoader(shared);
            requestOnAThreadThatEnds(application, "globalFallbackCall", "globalFallbackCallThroughTheDoorProtocol");
            WeakReference<ClassLoader> undeployed = new WeakReference<>(application);
            application = null;

            assertThat(collected(undeployed)).as("the undeployed application's loader is collected").isTrue();
            Object global = shared.loadClass(ReboundSettings.class.getName()).getMethod("global").invoke(null);
            assertThat(global.getClass().getMethod("alternatives").invoke(global).getClass().getName())
                    .as("the resolver that made the fallback, still the global one")
                    .isEqualTo("dev.rebound.runtime.internal.DefaultAlternativeResolver");
        }
    }

    /**
     * Rebound in the application (WEB-INF/lib): once its timer thread has ended, a few seconds after
     * its last timer, nothing keeps the application's loader, Rebound's copy in it included.
     */
    @Test
    void reboundInTheApplicationLetsItsLoaderGoOnceItsTimerThreadHasEnded() throws Exception {
        List<URL> urls = rebound();
        urls.add(where(WebappCalls.class));
        URLClassLoader application = new URLClassLoader("application", urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader());
        Set<Thread> before = threadsNamed("rebound-timeout");
        requestOnAThreadThatEnds(application, "timedCall");
        Set<Thread> timers = threadsNamed("rebound-timeout");
        timers.removeAll(before);
        assertThat(timers).as("the application's own timer thread").hasSize(1);
        Thread timer = timers.iterator().next();
        assertThat(timer.getContextClassLoader()).isNull();
        application.close();
        WeakReference<ClassLoader> undeployed = new WeakReference<>(application);
        application = null;

        timer.join(TimeUnit.SECONDS.toMillis(15));
        assertThat(timer.isAlive()).as("the idle timer thread has ended").isFalse();
        timer = null;
        timers = null;
        assertThat(collected(undeployed)).as("the undeployed application's loader is collected").isTrue();
    }

    /**
     * Rebound in the application, called on a container's pool thread that outlives the application:
     * what Rebound keeps per thread (the spare call state, the argument arrays, the fallback's mark, a
     * client's rate-limit headers) is held by Rebound, never by the thread, so the thread keeps nothing
     * of the application.
     */
    @Test
    void reboundInTheApplicationKeepsNothingOfItOnAPoolThreadThatOutlivesIt() throws Exception {
        List<URL> urls = rebound();
        urls.add(where(WebappCalls.class));
        URLClassLoader application = new URLClassLoader("application", urls.toArray(new URL[0]),
                ClassLoader.getPlatformClassLoader());
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            request(pool, application, "retriedCall", "fallbackCall", "clientHintsCall", "globalFallbackCall");
            application.close();
            WeakReference<ClassLoader> undeployed = new WeakReference<>(application);
            application = null;

            assertThat(collected(undeployed)).as("the undeployed application's loader is collected").isTrue();
        } finally {
            pool.shutdown();
        }
    }

    /** What one version of an application does while it is deployed, on its own loader. */
    @FunctionalInterface
    private interface Version {
        void run(ClassLoader application) throws Throwable;
    }

    /**
     * Deploys a version of the application over {@code shared} in a loader of its own, runs {@code version} on
     * it, then undeploys it and asserts that its loader is collected ({@code which}: "version 1", ...).
     */
    private static void deployThenUndeploy(URLClassLoader shared, String which, Version version) throws Throwable {
        ApplicationLoader application = new ApplicationLoader(shared);
        version.run(application);
        WeakReference<ClassLoader> undeployed = new WeakReference<>(application);
        application = null;
        assertThat(collected(undeployed)).as(which + " is undeployed and its loader collected").isTrue();
    }

    /**
     * Rebound in the shared lib: version 1 of an application calls {@code wrapped} with {@code v1} (a wrapper on
     * the global settings) and resolves {@code woven}V1's policy (as its woven door would), then is undeployed and
     * its loader collected; version 2 gives the same names its own values: {@code v2}, and {@code woven}V2.
     */
    private static void redeployWithOtherValues(String wrapped, Object v1, Object v2, String woven)
            throws Throwable {
        try (URLClassLoader shared = sharedLibWithBucket4j()) {
            deployThenUndeploy(shared, "version 1", first -> {
                assertThat(call(first, wrapped, v1)).isEqualTo("ok");
                assertThat(call(first, "wovenCall", woven + "V1")).isEqualTo("ok");
            });

            ApplicationLoader second = new ApplicationLoader(shared);
            assertThat(call(second, wrapped, v2)).as("Rebound.wrap, version 2").isEqualTo("ok");
            assertThat(call(second, "wovenCall", woven + "V2")).as("woven, version 2").isEqualTo("ok");
        }
    }

    /**
     * An application redeployed with another budget ratio for the retry budgets it defines on the global
     * settings: the interface's own (a wrapper) and a named one (a woven class's {@code @Retry(budget =
     * "quotes", budgetRatio = ...)}). Once the old version's loader is collected, its definitions go with
     * it, and the new version starts with its own values.
     */
    @Test
    void aRedeployedApplicationWithAnotherBudgetRatioStartsOnceTheOldVersionIsUndeployed() throws Throwable {
        redeployWithOtherValues("budgetedCall", 0.1, 0.2, "Budgeted");
    }

    /**
     * An application that wraps classes of the shared lib only (langchain4j's {@code ChatModel} over an
     * {@code OpenAiChatModel}, with langchain4j in lib/ beside Rebound; here the JDK's {@code Callable}): its
     * budget's definition is held with the application's loader all the same (the class that built the
     * wrapper), so the next version may give it other values once the old one is collected.
     */
    @Test
    void aRedeployedApplicationWrappingOnlySharedLibClassesMayGiveItsBudgetNewValues() throws Throwable {
        try (URLClassLoader shared = sharedLibWithBucket4j()) {
            deployThenUndeploy(shared, "version 1",
                    first -> assertThat(call(first, "sharedLibBudgetedCall", 0.1)).isEqualTo("ok"));

            ApplicationLoader second = new ApplicationLoader(shared);
            assertThat(thrown(second, "sharedLibBudgetedCall", 0.2)).as("version 2, with its own budget ratio")
                    .isNull();
            assertThat(thrown(new ApplicationLoader(shared), "sharedLibBudgetedCall", 0.3))
                    .as("another application alive beside version 2, other values")
                    .satisfies(t -> assertThat(t.getClass().getName()) // the shared lib's class
                            .isEqualTo(ReboundConfigurationException.class.getName()))
                    .hasMessageContaining("budget names retry budget \"provider\" (budgetRatio 0.2");
        }
    }

    /**
     * The same with the wrapper built off the application's own stack, on a pool thread and on Rebound's
     * branch thread, {@code build} handed over as a method reference: only that reference's (hidden) frame is
     * the application's.
     */
    @Test
    void aRedeployedApplicationBuildingItsSharedLibWrapperOnAPoolMayGiveItsBudgetNewValues() throws Throwable {
        try (URLClassLoader shared = sharedLibWithBucket4j()) {
            deployThenUndeploy(shared, "version 1", first -> assertThat(
                    call(first, "sharedLibBudgetedCallBuiltOffItsStack", 0.1)).isEqualTo("okok"));

            assertThat(thrown(new ApplicationLoader(shared), "sharedLibBudgetedCallBuiltOffItsStack", 0.2))
                    .as("version 2, with its own budget ratio").isNull();
        }
    }

    /** The same for rate limits: the interface's own key, and a woven class's {@code @RateLimit(key = ...)}. */
    @Test
    void aRedeployedApplicationWithAnotherRateLimitStartsOnceTheOldVersionIsUndeployed() throws Throwable {
        redeployWithOtherValues("limitedCall", 60, 120, "Limited");
    }

    /**
     * Two applications alive at once (the old version not yet collected, or two applications) that give one
     * budget or one rate limit key other values: the second is refused, in the words of any two methods.
     */
    @Test
    void twoLiveApplicationsGivingOneBudgetOrRateLimitOtherValuesAreStillRefused() throws Throwable {
        try (URLClassLoader shared = sharedLibWithBucket4j()) {
            ApplicationLoader first = new ApplicationLoader(shared);
            call(first, "budgetedCall", 0.1);
            call(first, "wovenCall", "BudgetedV1");
            call(first, "limitedCall", 60);
            call(first, "wovenCall", "LimitedV1");
            ApplicationLoader second = new ApplicationLoader(shared);

            String quotes = WebappCalls.Quotes.class.getName();
            assertThat(thrown(second, "budgetedCall", 0.2)).hasMessageContaining(
                    "Rebound.wrap(Quotes): budget names retry budget \"" + quotes + "\" (budgetRatio 0.1,"
                    + " budgetMinPerSecond 1) with budgetRatio 0.2, budgetMinPerSecond 1; every method naming a budget"
                    + " must give it the same values")
                    .extracting(t -> t.getClass().getName()).isEqualTo(ReboundConfigurationException.class.getName());
            assertThat(thrown(second, "wovenCall", "BudgetedV2")).hasMessageContaining(
                    "BudgetedV2.quote(String): @Retry.budget names retry budget \"quotes\" (budgetRatio 0.1,"
                    + " budgetMinPerSecond 1) with budgetRatio 0.2");
            assertThat(thrown(second, "limitedCall", 120)).hasMessageContaining(
                    "Rebound.wrap(Quotes): withRateLimit names rate limit \"" + quotes + "\" (requestsPerMinute 60,"
                    + " tokensPerMinute 0) with requestsPerMinute 120, tokensPerMinute 0; every method naming a rate"
                    + " limit key must give it the same limits");
            assertThat(thrown(second, "wovenCall", "LimitedV2")).hasMessageContaining(
                    "LimitedV2.quote(String): @RateLimit.key names rate limit \"quotes-api\" (requestsPerMinute 60,"
                    + " tokensPerMinute 0) with requestsPerMinute 120");
            assertThat(call(first, "budgetedCall", 0.1)).as("the first application still builds").isEqualTo("ok");
        }
    }

    /**
     * What a rate limit key spent outlives the application that defined it, as the provider's count does: the
     * next version with the same limit goes on from the bucket the old one emptied; one with a higher limit
     * gets the difference on top of what is left, not a full bucket. On the global settings' virtual clock,
     * which stands still: nothing refills.
     */
    @Test
    void aRedeployedApplicationGoesOnFromWhatItsRateLimitSpentAndItsNewLimitAppliesToIt() throws Throwable {
        try (URLClassLoader shared = sharedLibWithBucket4j()) {
            deployThenUndeploy(shared, "version 1", v1 -> {
                call(v1, "globalSettingsOnAVirtualClock");
                assertThat(call(v1, "limitedCall", 1)).isEqualTo("ok");
            });
            deployThenUndeploy(shared, "version 2", v2 -> assertThat(thrown(v2, "limitedCall", 1))
                    .as("the same limit: its one request is spent")
                    .extracting(t -> t.getClass().getName()).isEqualTo(RateLimitRefusedException.class.getName()));

            ApplicationLoader v3 = new ApplicationLoader(shared);
            assertThat(call(v3, "limitedCall", 2)).as("a limit raised by one: one request more").isEqualTo("ok");
            assertThat(thrown(v3, "limitedCall", 2)).as("and no more")
                    .extracting(t -> t.getClass().getName()).isEqualTo(RateLimitRefusedException.class.getName());
        }
    }
}

package dev.berth.operator.cli;

import java.time.Duration;
import picocli.CommandLine;

/** "90s", "5m", "1h", "250ms", a bare number of seconds, or ISO-8601 ("PT5M"). */
final class DurationArgument implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
        String t = text.strip().toLowerCase(java.util.Locale.ROOT);
        try {
            if (t.startsWith("pt")) {
                return Duration.parse(t.toUpperCase(java.util.Locale.ROOT));
            }
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.replaceAll("[smh]$", ""));
            return switch (t.charAt(t.length() - 1)) {
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            };
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("not a duration: \"" + text + "\" (e.g. 90s, 5m, 1h)");
        }
    }
}

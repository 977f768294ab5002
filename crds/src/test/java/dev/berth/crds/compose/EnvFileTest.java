package dev.berth.crds.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** compose-go's dotenv rules, one edge each; values as {@code docker compose config} shows them. */
class EnvFileTest {
    private static Map<String, String> read(String text, Map<String, String> process) {
        return new EnvFile(".env", process::get).read(text);
    }

    private static Map<String, String> read(String text) {
        return read(text, Map.of());
    }

    private static String error(String text) {
        return assertThrows(ComposeException.class, () -> read(text)).problem().toString();
    }

    @Test
    void laterValuesExpandEarlierOnes() {
        assertEquals(Map.of("BASE", "/srv", "DERIVED", "/srv/app", "PLAIN", "/srv/x"),
                read("BASE=/srv\nDERIVED=${BASE}/app\nPLAIN=$BASE/x\n"));
    }

    @Test
    void theProcessWinsInExpansion() {
        // The file still says /srv; Compose uses the process's BASE both for ${BASE} and for BASE itself.
        assertEquals("/opt/app", read("BASE=/srv\nDERIVED=${BASE}/app\n", Map.of("BASE", "/opt")).get("DERIVED"));
    }

    @Test
    void defaultsAndAlternatives() {
        assertEquals(Map.of("EMPTY", "", "A", "fallback", "B", "", "C", "d", "D", "set", "E", "fallback"),
                read("EMPTY=\nA=${UNSET:-fallback}\nB=${EMPTY-kept}\nC=${EMPTY:-d}\nD=${A:+set}\nE=${UNSET:-${A}}\n"));
    }

    @Test
    void singleQuotesAreLiteral() {
        assertEquals("${BASE} $$x \\n", read("BASE=/srv\nS='${BASE} $$x \\n'\n").get("S"));
        assertEquals("it's", read("S='it\\'s'\n").get("S"));
    }

    @Test
    void quotedValuesMaySpanLines() {
        Map<String, String> values = read("CERT=\"-----BEGIN-----\nabc\n-----END-----\"\nNEXT=1\nLIT='a\nb'\n");
        assertEquals("-----BEGIN-----\nabc\n-----END-----", values.get("CERT"));
        assertEquals("1", values.get("NEXT"));
        assertEquals("a\nb", values.get("LIT"));
    }

    @Test
    void escapesInDoubleQuotes() {
        assertEquals("a\tb\\c\"d$e \\x\nf", read("E=\"a\\tb\\\\c\\\"d\\$e \\x\\nf\"\n").get("E"));
        assertEquals("A", read("O=\"\\0101\"\n").get("O"));
        assertEquals("\\01", read("O=\"\\01\"\n").get("O"));
        // No escapes outside quotes.
        assertEquals("a\\nb", read("U=a\\nb\n").get("U"));
    }

    @Test
    void dollarDollarIsADollar() {
        assertEquals(Map.of("U", "$HOME", "Q", "$HOME"), read("U=$$HOME\nQ=\"$$HOME\"\n", Map.of("HOME", "/root")));
    }

    @Test
    void inlineComments() {
        assertEquals(Map.of("U", "value", "H", "value#kept", "Q", "v # kept", "S", "#hash", "T", "x\t# tab is no comment start"),
                read("U=value # comment\nH=value#kept\nQ=\"v # kept\" # comment\nS=#hash\n"
                        + "# whole line\n   # indented\nT=x\t# tab is no comment start\n"));
    }

    @Test
    void exportColonFormAndSpaces() {
        assertEquals(Map.of("X", "1", "Y", "yes", "Z", "spaced out", "export", "no prefix"),
                read("export X=1\nY: yes\n  Z  =   spaced out   \nexport=no prefix\n"));
    }

    @Test
    void emptyValues() {
        assertEquals(Map.of("A", "", "B", "", "C", ""), read("A=\nB=\"\"\nC=''\n"));
    }

    @Test
    void aBareKeyTakesTheProcessValueOrStaysUnset() {
        Map<String, String> values = read("FROM_SHELL\nMISSING\nLAST", Map.of("FROM_SHELL", "s", "LAST", "l"));
        assertEquals(Map.of("FROM_SHELL", "s", "LAST", "l"), values);
    }

    @Test
    void byteOrderMarkAndCrlf() {
        Map<String, String> values = read("\uFEFFA=1\r\nB=\"two\"\r\nC=3 # c\r\n");
        assertEquals(Map.of("A", "1", "B", "two", "C", "3"), values);
    }

    @Test
    void earlierValuesOfTheMapAreSeen() {
        // env_file: an earlier file's values are there for a later file's ${...}
        Map<String, String> values = new LinkedHashMap<>(Map.of("HOST", "db"));
        new EnvFile("b.env", Map.<String, String>of()::get).read("URL=postgres://${HOST}/x\n", values);
        assertEquals("postgres://db/x", values.get("URL"));
    }

    @Test
    void errorsPointAtLineAndColumn() {
        assertEquals(".env:2:7: unterminated quoted value of QUOTE (the value is not shown)", error("A=1\nQUOTE=\"never closed\nB=2\n"));
        assertEquals(".env:1:4: unexpected character \"$\" in a variable name", error("BAD$=1\n"));
        assertEquals(".env:2:1: a variable name cannot contain a space (expected KEY=VALUE)", error("A=1\nTWO WORDS=x\n"));
        assertEquals(".env:1:1: expected KEY=VALUE, the variable name is missing", error("=x\n"));
        assertEquals(".env:1:3: X: required variable NOPE is missing a value: give it", error("X=${NOPE:?give it}\n"));
    }

    @Test
    void anUnsetVariableIsAWarning() {
        EnvFile file = new EnvFile("app.env", Map.<String, String>of()::get);
        assertEquals(Map.of("X", "a-"), file.read("\nX=\"a-${NOPE}\"\n"));
        List<String> warnings = file.warnings().stream().map(Object::toString).toList();
        assertEquals(List.of("app.env:2:3: X: variable NOPE is not set; using an empty string"), warnings);
        assertFalse(warnings.isEmpty());
    }
}

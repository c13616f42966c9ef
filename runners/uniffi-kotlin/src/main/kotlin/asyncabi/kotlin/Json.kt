// The protocol's JSON (docs/runner-protocol.md): parsed into Kotlin values (Map<String, Any?>,
// List<Any?>, String, Long or Double, Boolean, null) and written back from them.
package asyncabi.kotlin

class JsonError(message: String) : Exception(message)

object Json {
    fun parse(text: String): Any? {
        val reader = Reader(text)
        val value = reader.value()
        reader.skipSpace()
        if (reader.at < text.length) throw JsonError("trailing characters at ${reader.at}")
        return value
    }

    fun write(value: Any?): String = StringBuilder().also { write(it, value) }.toString()

    private fun write(out: StringBuilder, value: Any?) {
        when (value) {
            null -> out.append("null")
            is Boolean -> out.append(value)
            is Double -> if (value.isFinite()) out.append(value) else out.append("null")
            is Float -> write(out, value.toDouble())
            is java.math.BigInteger -> out.append(value.toString())
            is Number -> out.append(value.toLong())
            is String -> string(out, value)
            is Map<*, *> -> {
                out.append('{')
                var first = true
                for ((k, v) in value) {
                    if (!first) out.append(',')
                    first = false
                    string(out, k.toString())
                    out.append(':')
                    write(out, v)
                }
                out.append('}')
            }
            is Iterable<*> -> {
                out.append('[')
                value.forEachIndexed { i, v -> if (i > 0) out.append(','); write(out, v) }
                out.append(']')
            }
            else -> string(out, value.toString())
        }
    }

    private fun string(out: StringBuilder, s: String) {
        out.append('"')
        for (c in s) {
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c == '\n' -> out.append("\\n")
                c == '\r' -> out.append("\\r")
                c == '\t' -> out.append("\\t")
                c < ' ' -> out.append(String.format("\\u%04x", c.code))
                else -> out.append(c)
            }
        }
        out.append('"')
    }

    private class Reader(val text: String) {
        var at = 0

        fun skipSpace() {
            while (at < text.length && text[at].isWhitespace()) at++
        }

        fun value(): Any? {
            skipSpace()
            if (at >= text.length) throw JsonError("unexpected end")
            return when (val c = text[at]) {
                '{' -> obj()
                '[' -> array()
                '"' -> string()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> if (c == '-' || c.isDigit()) number() else throw JsonError("bad value at $at")
            }
        }

        private fun literal(word: String, value: Any?): Any? {
            if (!text.startsWith(word, at)) throw JsonError("bad literal at $at")
            at += word.length
            return value
        }

        private fun number(): Any {
            val start = at
            while (at < text.length && (text[at].isDigit() || text[at] in "+-.eE")) at++
            val s = text.substring(start, at)
            return if (s.any { it in ".eE" }) s.toDouble() else s.toLongOrNull() ?: java.math.BigInteger(s)
        }

        private fun string(): String {
            at++ // opening quote
            val out = StringBuilder()
            while (true) {
                if (at >= text.length) throw JsonError("unterminated string")
                val c = text[at++]
                when (c) {
                    '"' -> return out.toString()
                    '\\' -> {
                        val e = text[at++]
                        when (e) {
                            'n' -> out.append('\n'); 't' -> out.append('\t'); 'r' -> out.append('\r')
                            'b' -> out.append('\b'); 'f' -> out.append('\u000c')
                            'u' -> { out.append(text.substring(at, at + 4).toInt(16).toChar()); at += 4 }
                            else -> out.append(e)
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        private fun array(): List<Any?> {
            at++
            val out = mutableListOf<Any?>()
            skipSpace()
            if (text[at] == ']') { at++; return out }
            while (true) {
                out.add(value())
                skipSpace()
                when (text[at++]) {
                    ',' -> continue
                    ']' -> return out
                    else -> throw JsonError("expected , or ] at ${at - 1}")
                }
            }
        }

        private fun obj(): Map<String, Any?> {
            at++
            val out = LinkedHashMap<String, Any?>()
            skipSpace()
            if (text[at] == '}') { at++; return out }
            while (true) {
                skipSpace()
                if (text[at] != '"') throw JsonError("expected a key at $at")
                val key = string()
                skipSpace()
                if (text[at++] != ':') throw JsonError("expected : at ${at - 1}")
                out[key] = value()
                skipSpace()
                when (text[at++]) {
                    ',' -> continue
                    '}' -> return out
                    else -> throw JsonError("expected , or } at ${at - 1}")
                }
            }
        }
    }
}

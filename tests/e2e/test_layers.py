"""The layering of docs/architecture.md holds in the binary under test:
commands do not call commands, SQLite, cJSON and readline stay behind their
walls, and no two source files depend on each other (read from the objects
the binary was linked from: $SMP_OBJ_DIR, which the Makefile sets).  The
checker itself is tried on made-up symbol tables, so that a rule it stopped
seeing would fail here rather than pass in silence."""
import re
import unittest

import layers
from harness import BIN


def obj(defines=(), code=(), data=()):
    refs = {s: "data" for s in data}
    refs.update({s: "code" for s in code})
    return {"defines": set(defines), "refs": refs}


class TheProgram(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.obj_dir = layers.object_dir(BIN)
        cls.objects = layers.load_objects(cls.obj_dir)

    def test_the_objects_are_the_binarys_and_the_checker_sees_into_them(self):
        # (The sanitizers' own symbols, "__...", aside.)
        defined = {s for o in self.objects.values() for s in o["defines"]
                   if not s.startswith("__")}
        missing = sorted(defined - layers.binary_defines(BIN))
        self.assertEqual(missing, [], "%s does not hold what the objects in %s define: not "
                         "the same build (set SMP_OBJ_DIR)" % (BIN, self.obj_dir))
        # Every command calls something elsewhere; the walls' libraries are
        # used where they belong: a checker reading nothing would pass all.
        graph = layers.dependency_graph(self.objects)
        for name in self.objects:
            if layers.COMMAND_OBJECT.match(name):
                self.assertTrue(graph[layers.source_of(name)], name)
        for wall, symbols, allowed, _, _ in layers.WALLS:
            users = [n for n, o in self.objects.items()
                     if any(re.match(symbols, s) for s in o["refs"])]
            self.assertTrue(users, "nothing uses %s: the checker reads no symbols" % wall)

    def test_no_command_calls_into_another_command(self):
        calls = layers.command_calls(self.objects)
        if calls:
            self.fail("\n".join("%s calls into %s: %s" % (a, b, ", ".join(s)) for a, b, s in calls))

    def test_sqlite_cjson_and_readline_stay_behind_their_walls(self):
        breaches = layers.wall_breaches(self.objects)
        includes = layers.include_breaches(layers.read_sources())
        if breaches or includes:
            self.fail("\n".join(["%s outside its wall: %s uses %s" % (w, p, ", ".join(s))
                                 for w, p, s in breaches] +
                                ["%s outside its wall: %s: %s" % i for i in includes]))

    def test_no_cycle_between_source_files(self):
        found = layers.cycles(layers.dependency_graph(self.objects))
        if found:
            self.fail("\n" + "\n".join(layers.describe_cycle(c, i) for c, i in found))


class TheChecker(unittest.TestCase):
    def test_a_command_calling_another_commands_file_is_reported(self):
        objects = {"cmd_drafts.o": obj(["cmd_drafts"], code=["intake_take", "report"]),
                   "cmd_new.o": obj(["cmd_new", "intake_take"], code=["report"]),
                   "report.o": obj(["report"])}
        self.assertEqual(layers.command_calls(objects),
                         [("src/cmd_drafts.c", "src/cmd_new.c", ["intake_take"])])
        objects["take.o"] = obj(["intake_take"])
        objects["cmd_new.o"] = obj(["cmd_new"], code=["report"])
        self.assertEqual(layers.command_calls(objects), [])

    def test_a_library_used_outside_its_wall_is_reported(self):
        objects = {"db.o": obj(["db_open"], code=["sqlite3_open_v2"]),
                   "db_find.o": obj(["db_find"], code=["sqlite3_step"]),
                   "json_fhir.o": obj(["fhir"], code=["cJSON_Parse"]),
                   "prompt.o": obj(["prompt_read"], code=["readline", "rl_done", "add_history"]),
                   "cmd_show.o": obj(["cmd_show"], code=["sqlite3_exec", "cJSON_Print"]),
                   "walk.o": obj(["walk_run"], code=["rl_point", "history_list"])}
        self.assertEqual(layers.wall_breaches(objects),
                         [("SQLite", "src/cmd_show.c", ["sqlite3_exec"]),
                          ("cJSON", "src/cmd_show.c", ["cJSON_Print"]),
                          ("readline", "src/walk.c", ["history_list", "rl_point"])])

    def test_a_header_included_outside_its_wall_is_reported(self):
        sources = {"src/db.c": "#include <sqlite3.h>\n",
                   "src/db_private.h": "#include <sqlite3.h>\n",
                   "src/json_import.c": "#include <cjson/cJSON.h>\n",
                   "src/prompt.c": "#include <readline/readline.h>\n"
                                   "#include <readline/history.h>\n",
                   "include/db.h": "# include \"sqlite3.h\"\n",
                   "src/sheet.c": "#include <cJSON.h>\n/* #include <sqlite3.h> */\n",
                   "src/walk.c": "#include <stdio.h>\n#include <readline/history.h>\n"}
        self.assertEqual(layers.include_breaches(sources),
                         [("SQLite", "include/db.h", '# include "sqlite3.h"'),
                          ("cJSON", "src/sheet.c", "#include <cJSON.h>"),
                          ("readline", "src/walk.c", "#include <readline/history.h>")])

    def test_a_cycle_is_reported_with_its_files_and_what_they_use(self):
        objects = {"db.o": obj(["db_prepare", "db_open"], code=["db_audit_add"]),
                   "db_audit.o": obj(["db_audit_add"], code=["db_prepare"]),
                   "db_find.o": obj(["db_find"], code=["db_prepare"]),
                   "a.o": obj(["a"], code=["b"]), "b.o": obj(["b"], code=["c"]),
                   "c.o": obj(["c"], code=["a"])}
        found = layers.cycles(layers.dependency_graph(objects))
        self.assertEqual([c for c, _ in found],
                         [["src/a.c", "src/b.c", "src/c.c"], ["src/db.c", "src/db_audit.c"]])
        self.assertEqual(found[1][1], [("src/db.c", "src/db_audit.c", ["db_audit_add"]),
                                       ("src/db_audit.c", "src/db.c", ["db_prepare"])])
        self.assertIn("src/db.c -> src/db_audit.c (db_audit_add)",
                      layers.describe_cycle(*found[1]))

    def test_the_table_pointing_at_commands_is_no_cycle_but_a_call_is(self):
        objects = {"command.o": obj(["command_usage", "command_dispatch", "cmd_help"],
                                    data=["cmd_new", "cmd_shell"]),
                   "cmd_new.o": obj(["cmd_new"], code=["command_usage"]),
                   "cmd_shell.o": obj(["cmd_shell"], code=["command_dispatch"]),
                   "main.o": obj(["main"], code=["command_dispatch"])}
        self.assertEqual(layers.cycles(layers.dependency_graph(objects)), [])
        objects["main.o"] = obj(["main", "command_usage"], code=["cmd_shell"])
        objects["cmd_shell.o"] = obj(["cmd_shell"], code=["command_usage"])
        self.assertEqual([c for c, _ in layers.cycles(layers.dependency_graph(objects))],
                         [["src/cmd_shell.c", "src/main.c"]])

    def test_readelf_output_is_read_relocations_first(self):
        text = """
Relocation section '.rela.text' at offset 0x1 contains 2 entries:
    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend
0000000000000040  0000003100000004 R_X86_64_PLT32         0000000000000000 command_usage - 4
0000000000000050  0000000900000002 R_X86_64_PC32          0000000000000000 .rodata.str1.1 + 3a
Relocation section '.rela.data.rel.ro' at offset 0x2 contains 2 entries:
    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend
0000000000000000  0000003200000001 R_X86_64_64            0000000000000000 cmd_new + 0
0000000000000008  0000003300000001 R_X86_64_64            0000000000000000 cmd_help + 0
Relocation section '.rela.debug_info' at offset 0x3 contains 1 entry:
    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend
0000000000000008  000000340000000a R_X86_64_32            0000000000000000 sqlite3_free + 0

Symbol table '.symtab' contains 6 entries:
   Num:    Value          Size Type    Bind   Vis      Ndx Name
     0: 0000000000000000     0 NOTYPE  LOCAL  DEFAULT  UND
     1: 0000000000000000     0 FILE    LOCAL  DEFAULT  ABS command.c
     2: 0000000000000000   120 FUNC    LOCAL  DEFAULT    1 command_find
    49: 0000000000000000   315 FUNC    GLOBAL DEFAULT    1 cmd_help
    50: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND cmd_new
    51: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND command_usage
    52: 0000000000000000     0 NOTYPE  GLOBAL DEFAULT  UND sqlite3_free
"""
        self.assertEqual(layers.parse_readelf(text),
                         {"defines": {"cmd_help"},
                          "refs": {"command_usage": "code", "cmd_new": "data",
                                   "sqlite3_free": "code"}})


if __name__ == "__main__":
    unittest.main()

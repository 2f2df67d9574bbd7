// Suture.g4 — the one grammar of the Suture language (mappings, policies, routes, tests).
// Pipeline position: first. ANTLR generates the C++ lexer/parser from this file into the
// build tree; only compiler/parse/ sees the generated types, everything after it sees our AST.
//
// Whitespace and newlines are insignificant: statements end where an expression cannot go on.
// Keywords are soft wherever a field or member name is expected (`p.type`, `class = …`),
// and any name may be written in backticks (`match`) to escape it everywhere.

grammar Suture;

// ───────────────────────────── files and declarations ─────────────────────────────

file
    : moduleDecl? importDecl* declaration* EOF
    ;

moduleDecl
    : annotation* MODULE qualifiedName ';'?
    ;

importDecl
    : IMPORT qualifiedName (AS name)? importList? ';'?
    ;

importList
    : '(' importItem (',' importItem)* ','? ')'
    ;

importItem
    : name (AS name)?
    ;

declaration
    : annotation* declarationBody
    ;

declarationBody
    : constDecl
    | typeAliasDecl
    | recordDecl
    | enumDecl
    | tableDecl
    | functionDecl
    | mappingDecl
    | policyDecl
    | routeDecl
    | testDecl
    ;

annotation
    : '@' name ('(' (literal (',' literal)*)? ')')?
    ;

constDecl
    : CONST name (':' typeExpr)? '=' expr ';'?
    ;

typeAliasDecl
    : TYPE name '=' typeExpr ';'?
    ;

recordDecl
    : RECORD name '{' (fieldDecl (','? fieldDecl)* ','?)? '}'
    ;

fieldDecl
    : annotation* READONLY? memberName ':' typeExpr
    ;

enumDecl
    : ENUM name (':' typeExpr)? '{' (enumMember (',' enumMember)* ','?)? '}'
    ;

enumMember
    : annotation* (memberName | STRING)
    ;

tableDecl
    : TABLE name ':' typeExpr ARROW typeExpr '{' (tableEntry (',' tableEntry)* ','?)? '}'
    ;

tableEntry
    : tableKey FAT_ARROW expr
    ;

tableKey
    : literal      # literalTableKey
    | '_'          # defaultTableKey
    ;

functionDecl
    : FN name '(' paramList? ')' ARROW typeExpr functionBody
    ;

functionBody
    : '=' expr ';'?                                # exprFunctionBody
    | '{' (letStmt ';'?)* expr ';'? '}'            # blockFunctionBody
    ;

paramList
    : param (',' param)* ','?
    ;

param
    : name ':' typeExpr
    ;

mappingDecl
    : MAPPING name '(' paramList? ')' ARROW typeExpr '{' mappingStmt* '}'
    ;

mappingStmt
    : letStmt ';'?                                 # letMappingStmt
    | fieldPath '=' expr ';'?                      # assignMappingStmt
    | WHEN expr '{' mappingStmt* '}'               # whenMappingStmt
    ;

letStmt
    : LET name (':' typeExpr)? '=' expr
    ;

fieldPath
    : memberName ('.' memberName)*
    ;

policyDecl
    : POLICY name '(' paramList? ')' '{' policyRule* '}'
    ;

policyRule
    : (name ':')? effect=(PERMIT | FORBID) condition? ';'?                                   # effectRule
    | (name ':')? REDACT expr (WHERE lambda)? condition? ';'?                                # redactRule
    | (name ':')? MASK expr KEEP (LAST | FIRST) expr condition? ';'?                         # maskRule
    | (name ':')? GENERALISE expr TO name condition? ';'?                                    # generaliseRule
    | (name ':')? PSEUDONYMISE expr (WITH STRING)? condition? ';'?                           # pseudonymiseRule
    ;

condition
    : WHEN expr
    | UNLESS expr
    ;

routeDecl
    : ROUTE name '{' routeClause* '}'
    ;

routeClause
    : ON name (name)? STRING? (EVENT name)? AS typeExpr ';'?                                 # onClause
    | WHEN expr ';'?                                                                         # whenClause
    | PRIORITY expr ';'?                                                                     # priorityClause
    | FALLBACK ';'?                                                                          # fallbackClause
    | AUTHORIZE name '(' argList? ')' ';'?                                                   # authorizeClause
    | MAP name ';'?                                                                          # mapClause
    | DELIVER qualifiedName '(' argList? ')' TO ENDPOINT STRING ';'?                         # deliverClause
    | RETRY name '(' argList? ')' ATTEMPTS expr (THEN name)? ';'?                            # retryClause
    | ORDER BY expr ';'?                                                                     # orderClause
    ;

testDecl
    : TEST STRING '{' testStmt* '}'
    ;

testStmt
    : letStmt ';'?                                 # letTestStmt
    | EXPECT expr ';'?                             # expectTestStmt
    ;

// ───────────────────────────── types ─────────────────────────────

typeExpr
    : typeExpr '?'                                                     # optionalType
    | typeExpr '!'                                                     # fallibleType
    | LIST_T '<' typeExpr '>'                                          # listType
    | SET_T '<' typeExpr '>'                                           # setType
    | MAP '<' typeExpr ',' typeExpr '>'                                # mapType
    | '{' (recordTypeField (',' recordTypeField)* ','?)? '}'           # recordType
    | qualifiedName ('<' typeExpr (',' typeExpr)* '>')?                # namedType
    ;

recordTypeField
    : memberName ':' typeExpr
    ;

// ───────────────────────────── expressions ─────────────────────────────
// Precedence, tightest first (ANTLR gives earlier alternatives higher precedence):
// postfix (. ?. [ ] call), `as` (a resource held as json, read as a type), unary minus, * / %, + - ++, ??, comparison, in, not, and, or,
// and last if / let / lambda, whose bodies extend as far to the right as they can.

expr
    : postfixExpr                                                      # postfix
    | expr AS typeExpr                                                 # castExpr
    | '-' expr                                                         # negateExpr
    | expr op=('*' | '/' | '%') expr                                   # mulExpr
    | expr op=('+' | '-' | '++') expr                                  # addExpr
    | <assoc=right> expr op='??' expr                                  # coalesceExpr
    | expr op=('==' | '!=' | '<' | '<=' | '>' | '>=') expr             # compareExpr
    | expr NOT? IN expr                                                # inExpr
    | NOT expr                                                         # notExpr
    | expr op=AND expr                                                 # andExpr
    | expr op=OR expr                                                  # orExpr
    | IF expr THEN expr ELSE expr                                      # ifExpr
    | LET name (':' typeExpr)? '=' expr IN expr                        # letExpr
    | lambda                                                           # lambdaExpr
    ;

postfixExpr
    : primary                                                          # primaryPostfix
    | postfixExpr op=('.' | '?.') memberName '(' argList? ')'          # methodPostfix
    | postfixExpr op=('.' | '?.') memberName                           # memberPostfix
    | postfixExpr '[' expr ']'                                         # indexPostfix
    | postfixExpr '(' argList? ')'                                     # callPostfix
    ;

argList
    : arg (',' arg)* ','?
    ;

arg
    : (memberName ':')? expr
    ;

lambda
    : name FAT_ARROW expr
    | '(' (name (',' name)*)? ')' FAT_ARROW expr
    ;

primary
    : literal                                                          # literalPrimary
    | name                                                             # namePrimary
    | '(' expr ')'                                                     # parenPrimary
    | '[' (expr (',' expr)* ','?)? ']'                                 # listPrimary
    | '{' '}'                                                          # emptyBracePrimary
    | '{' recordEntry (',' recordEntry)* ','? '}'                      # recordPrimary
    | '{' expr (',' expr)* ','? '}'                                    # setPrimary
    | '{' mapEntry (',' mapEntry)* ','? '}'                            # mapPrimary
    | MATCH expr? '{' matchArm (','? matchArm)* ','? '}'               # matchPrimary
    ;

recordEntry
    : memberName ':' expr
    ;

mapEntry
    : expr FAT_ARROW expr
    ;

matchArm
    : pattern ('|' pattern)* FAT_ARROW expr
    ;

// With a subject, a pattern is a constant compared for equality (literal, null, const,
// enum member); without one (`match { cond => … }`) it is a boolean condition.
pattern
    : '_'                                                              # wildcardPattern
    | expr                                                             # exprPattern
    ;

literal
    : STRING
    | INT
    | DECIMAL
    | TRUE
    | FALSE
    | NULL_
    | DATE
    | DATETIME
    | TIME
    | DURATION
    ;

qualifiedName
    : name ('.' name)*
    ;

// A declared name: an identifier, a backticked name, or a keyword that has no meaning in
// that position (so route/policy words stay usable as names).
name
    : IDENT
    | BACKTICK_IDENT
    | softKeyword
    ;

// A member (field, record-literal key, enum member): any word at all, including keywords.
memberName
    : name
    | hardKeyword
    ;

softKeyword
    : ON | EVENT | PRIORITY | FALLBACK | AUTHORIZE | MAP | DELIVER | TO | ENDPOINT | RETRY
    | ATTEMPTS | THEN | ORDER | BY | KEEP | LAST | FIRST | WITH | WHERE | EXPECT | READONLY
    | LIST_T | SET_T
    ;

hardKeyword
    : MODULE | IMPORT | AS | CONST | TYPE | RECORD | ENUM | TABLE | FN | MAPPING | POLICY
    | ROUTE | TEST | LET | IN | IF | ELSE | MATCH | WHEN | UNLESS | PERMIT | FORBID | REDACT
    | MASK | GENERALISE | PSEUDONYMISE | AND | OR | NOT | TRUE | FALSE | NULL_
    ;

// ───────────────────────────── lexer ─────────────────────────────

MODULE       : 'module';
IMPORT       : 'import';
AS           : 'as';
CONST        : 'const';
TYPE         : 'type';
RECORD       : 'record';
ENUM         : 'enum';
TABLE        : 'table';
FN           : 'fn';
MAPPING      : 'mapping';
POLICY       : 'policy';
ROUTE        : 'route';
TEST         : 'test';
LET          : 'let';
IN           : 'in';
IF           : 'if';
THEN         : 'then';
ELSE         : 'else';
MATCH        : 'match';
WHEN         : 'when';
UNLESS       : 'unless';
WHERE        : 'where';
PERMIT       : 'permit';
FORBID       : 'forbid';
REDACT       : 'redact';
MASK         : 'mask';
KEEP         : 'keep';
LAST         : 'last';
FIRST        : 'first';
GENERALISE   : 'generalise';
PSEUDONYMISE : 'pseudonymise';
WITH         : 'with';
ON           : 'on';
EVENT        : 'event';
PRIORITY     : 'priority';
FALLBACK     : 'fallback';
AUTHORIZE    : 'authorize';
MAP          : 'map';
DELIVER      : 'deliver';
TO           : 'to';
ENDPOINT     : 'endpoint';
RETRY        : 'retry';
ATTEMPTS     : 'attempts';
ORDER        : 'order';
BY           : 'by';
EXPECT       : 'expect';
READONLY     : 'readonly';
AND          : 'and';
OR           : 'or';
NOT          : 'not';
TRUE         : 'true';
FALSE        : 'false';
NULL_        : 'null';
LIST_T       : 'list';
SET_T        : 'set';

ARROW     : '->';
FAT_ARROW : '=>';

// Date and time literals start with `@` (as in FHIRPath): @2024, @2024-03, @2024-03-15,
// @2024-03-15T10:30:00.123+02:00, @T10:30. Partial precision is kept.
DATETIME : '@' YEAR '-' D2 '-' D2 'T' D2 (':' D2 (':' D2 ('.' DIGIT+)?)?)? TZ?;
DATE     : '@' YEAR ('-' D2 ('-' D2)?)?;
TIME     : '@T' D2 (':' D2 (':' D2 ('.' DIGIT+)?)?)?;

// Durations: 500ms, 30s, 5m, 2h, 7d (a number glued to its unit).
DURATION : DIGIT+ ('ms' | 's' | 'm' | 'h' | 'd');

DECIMAL : DIGIT+ '.' DIGIT+;
INT     : DIGIT+;

// Escapes are checked after lexing, so a bad one is reported at its own position.
STRING              : '"' ('\\' ~[\r\n] | ~["\\\r\n])* '"';
UNTERMINATED_STRING : '"' ('\\' ~[\r\n] | ~["\\\r\n])*;

BACKTICK_IDENT : '`' ~[`\r\n]+ '`';
IDENT          : [a-zA-Z_] [a-zA-Z0-9_]*;

DOC_COMMENT   : '///' ~[\r\n]* -> channel(HIDDEN);
LINE_COMMENT  : '//' ~[\r\n]* -> skip;
BLOCK_COMMENT : '/*' .*? '*/' -> skip;
WS            : [ \t\r\n\f]+ -> skip;

// Anything else is one bad character: the parser reports it with its position.
UNKNOWN_CHAR : .;

fragment DIGIT  : [0-9];
fragment D2     : DIGIT DIGIT;
fragment YEAR   : DIGIT DIGIT DIGIT DIGIT;
fragment TZ     : 'Z' | ('+' | '-') D2 ':' D2;

// Package rql turns the RQL (Resource Query Language, APS dialect) of a raw
// URL query string into parameterized SQL against a per-collection field
// whitelist: Parse builds a Query, Schema.Compile checks it and writes a
// Where/OrderBy/paging Plan. Client text never reaches SQL: only trusted
// column expressions from the Schema and $N placeholders do. The package
// does no I/O.
//
// Grammar. Calls name(args) nest; at the top level and inside parentheses
// terms are joined by "," or "&" (and) or by "|" (or), and mixing and with
// or needs parentheses. a=b is eq(a,b); a==b, a!=b and the FIQL forms
// a=eq=b (ne lt le gt ge in out like) work too. in/out take a list:
// in(type,(SO,BO)). Operators: and or not eq ne lt le gt ge in out like, and
// at the top level, at most once each, sort(+a,-b) (bare a is ascending),
// select(a,b) and limit(start,count).
//
// Values. The query is split on its structure first and each name and value
// is %-decoded after, so %2C is a comma inside a value. "+" is a literal plus
// (sort(+a) reads it as ascending), never a space. A raw ':' is plain text
// (2018-04-26T16:00:00Z needs no encoding) unless it follows one of the
// typed prefixes string: number: date: boolean:. Values are typed by their
// field, never by their look: 000001 is a string for a String field and 1 for
// an Int field; Time takes RFC 3339 date-times or dates (midnight UTC) and is
// bound as int64 Unix microseconds; Bool takes true, false, true(), false().
// null() only works with eq and ne (IS NULL, IS NOT NULL); empty() is the
// empty string. As in SQL, a NULL column matches no other comparison, ne and
// out included.
//
// like(f,mask): '*' is any run of characters and '?' one character (even
// when %-encoded); SQL's '%', '_' and '\' match themselves. It is
// case-insensitive: ILIKE on PostgreSQL, LIKE on SQLite (ASCII only there).
// Both dialects get $N placeholders.
//
// Paging. limit(start,count) is APS order: offset first. limit(start) uses
// the default page size, 100 unless the Schema says otherwise; a count over
// the maximum, 1000 unless the Schema says otherwise, is an error, not
// clamped. limit(0,0) asks for the total only (Plan.CountOnly). Every
// ORDER BY ends with the Schema's Tiebreak so pages are stable.
//
// Safety. A query longer than MaxQueryLen bytes, nesting deeper than
// MaxDepth, with more than MaxNodes terms and values or a list longer than
// MaxTupleLen is refused; parsing and compiling are linear in the query, so
// no query costs more than about a millisecond. Every failure
// of Parse and Compile is an *Error with the byte position in the raw query.
//
// Deviations from the npm rql package (persvr/rql 0.3.3, the oracle of the
// differential test):
//   - limit(start,count), not npm's limit(count,start,maxCount);
//   - values are text typed by the field: npm's guessing of numbers, true,
//     false, null and undefined does not apply, and a raw ':' is not a
//     converter prefix unless the prefix is string, number, date or boolean
//     (auto, epoch, isodate, re, RE and glob are refused);
//   - %3C and %3E are the characters < and > in a value, not FIQL operators;
//     a/b is not a list; '$1' is not a parameter; '...' quotes are not
//     stripped;
//   - "|" may join the top-level terms; a group uses one conjunction only,
//     so (a|b,c) is an error where npm reads or(a,b,c); a group of one term
//     is that term, not a list;
//   - empty values (eq(a,), a=) and empty terms (a=1&&b=2) are errors;
//   - characters other than ( ) , & | = ! and space, such as ? ' and UTF-8,
//     may appear unencoded in names and values.
package rql

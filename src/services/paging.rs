//! Reading one page of a back-office list by its key (`domain::PageAt`),
//! and the literal `LIKE` its searches use.
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr, Query};
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::domain::{PageAt, LIKE_ESCAPE};

/// `query` narrowed to the rows of the page at `at` of a list ordered by
/// the unique `column` in `order`, plus one row to tell whether there are
/// more. A page before a key is read in the opposite order;
/// `Window::from_rows` turns it round.
pub fn by_unique_column<E: EntityTrait>(
    query: Select<E>,
    column: E::Column,
    order: Order,
    at: &PageAt<i64>,
    size: usize,
) -> Select<E> {
    let ascending = matches!(order, Order::Asc);
    let query = match *at {
        PageAt::First => query,
        PageAt::After(key) if ascending => query.filter(column.gt(key)),
        PageAt::After(key) => query.filter(column.lt(key)),
        PageAt::Before(key) if ascending => query.filter(column.lt(key)),
        PageAt::Before(key) => query.filter(column.gt(key)),
    };
    let read_ascending = ascending != at.reads_backwards();
    query
        .order_by(
            column,
            if read_ascending {
                Order::Asc
            } else {
                Order::Desc
            },
        )
        .limit(size as u64 + 1)
}

/// `query` narrowed to the page at `at` of a list ordered by `key` (not
/// unique) and then the row's `id`, both in `order`. The page is found by
/// the id of a row (so a link names no one), whose key the database looks
/// up itself; an id that is not in the table gives an empty page.
pub fn by_key_then_id<E: EntityTrait>(
    query: Select<E>,
    (key, id): (E::Column, E::Column),
    order: Order,
    at: &PageAt<Uuid>,
    size: usize,
) -> Select<E> {
    let read_ascending = matches!(order, Order::Asc) != at.reads_backwards();
    let query = match *at {
        PageAt::First => query,
        PageAt::After(row) | PageAt::Before(row) => {
            let lookup = Query::select()
                .column(key)
                .from(E::default())
                .and_where(id.eq(row))
                .to_owned();
            let key_of_row = Expr::SubQuery(None, Box::new(lookup.into()));
            // A row value, so both databases bound the index range by it.
            let row_key = Expr::tuple([Expr::col(key), Expr::col(id)]);
            let cursor = Expr::tuple([key_of_row, Expr::val(row)]);
            query.filter(if read_ascending {
                row_key.gt(cursor)
            } else {
                row_key.lt(cursor)
            })
        }
    };
    let direction = || {
        if read_ascending {
            Order::Asc
        } else {
            Order::Desc
        }
    };
    query
        .order_by(key, direction())
        .order_by(id, direction())
        .limit(size as u64 + 1)
}

/// `expr LIKE pattern`, with the escape character the patterns of
/// `domain::Search` use, so `%` and `_` match only themselves.
pub fn like(expr: impl Into<Expr>, pattern: String) -> Expr {
    expr.into().like(LikeExpr::new(pattern).escape(LIKE_ESCAPE))
}

//! Reading one page of a back-office list by its key (`domain::PageAt`),
//! and the literal `LIKE` its searches use.
use sea_orm::sea_query::{Expr, ExprTrait, LikeExpr};
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select};

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

/// `expr LIKE pattern`, with the escape character the patterns of
/// `domain::Search` use, so `%` and `_` match only themselves.
pub fn like(expr: impl Into<Expr>, pattern: String) -> Expr {
    expr.into().like(LikeExpr::new(pattern).escape(LIKE_ESCAPE))
}

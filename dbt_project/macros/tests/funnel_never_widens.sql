{#- Generic test: in a funnel table, people never increase from one stage to the next. -#}
{% test funnel_never_widens(model) %}
select *
from {{ model }}
where reached_next > people
{% endtest %}

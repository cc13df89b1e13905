{#- Generic test: within each group (e.g. order × model) the `credit` column sums to 1. -#}
{% test credits_sum_to_one(model, group_by, column_name='credit', tolerance=0.000001) %}
select
    {{ group_by | join(', ') }},
    sum({{ column_name }}) as total_credit
from {{ model }}
group by {{ group_by | join(', ') }}
having abs(sum({{ column_name }}) - 1) > {{ tolerance }}
{% endtest %}
